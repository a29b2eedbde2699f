# Flushes the Windows file-system cache: the system cache's working set (the file pages mapped
# by the cache manager) is emptied with SetSystemFileCacheSize(-1, -1, 0), the documented way to
# flush it. The pages it held go to the standby list, still in RAM; ps1\Clear-StandbyList.ps1
# purges that list, so a Cold run calls this script first and Clear-StandbyList.ps1 second.
# Needs an elevated (administrator) session, whose token holds SeIncreaseQuotaPrivilege; the
# script enables it first.
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File ps1\Clear-WindowsCache.ps1
#
# Exit code 0 and one line on stdout on success; otherwise 1 and one line on stderr saying why
# (without administrator rights: that it needs them). Runs on Windows PowerShell 5.1 and
# PowerShell 7. Dot-sourcing the file (Pester) defines the functions without running anything.
[CmdletBinding()]
param()

function Test-Administrator {
  $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
  $principal = New-Object System.Security.Principal.WindowsPrincipal($identity)
  return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

# Returns ExitCode and Message (one line); writes nothing. -IsAdministrator overrides the check.
function Invoke-ClearWindowsCache {
  param([bool]$IsAdministrator = (Test-Administrator))
  if (-not $IsAdministrator) {
    return [pscustomobject]@{ ExitCode = 1; Message = 'file-system cache not flushed: needs administrator rights (run from an elevated session)' }
  }
  $source = @'
using System;
using System.Runtime.InteropServices;
namespace Benchgate {
  public static class FileCache {
    [DllImport("kernel32.dll")] static extern IntPtr GetCurrentProcess();
    [DllImport("kernel32.dll", SetLastError = true)] static extern bool CloseHandle(IntPtr handle);
    [DllImport("advapi32.dll", SetLastError = true)] static extern bool OpenProcessToken(IntPtr process, int access, out IntPtr token);
    [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)] static extern bool LookupPrivilegeValue(string host, string name, out long luid);
    [DllImport("advapi32.dll", SetLastError = true)] static extern bool AdjustTokenPrivileges(IntPtr token, bool disableAll, ref TokenPrivileges state, int length, IntPtr previous, IntPtr returned);
    [DllImport("kernel32.dll", SetLastError = true)] static extern bool SetSystemFileCacheSize(IntPtr minimumFileCacheSize, IntPtr maximumFileCacheSize, int flags);
    [StructLayout(LayoutKind.Sequential, Pack = 4)] struct TokenPrivileges { public int Count; public long Luid; public int Attributes; }

    // null on success, otherwise which step failed and its error code.
    public static string Flush() {
      IntPtr token;
      if (!OpenProcessToken(GetCurrentProcess(), 0x28, out token)) return "OpenProcessToken failed (Win32 error " + Marshal.GetLastWin32Error() + ")"; // TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY
      try {
        long luid;
        if (!LookupPrivilegeValue(null, "SeIncreaseQuotaPrivilege", out luid)) return "LookupPrivilegeValue failed (Win32 error " + Marshal.GetLastWin32Error() + ")";
        TokenPrivileges tp = new TokenPrivileges();
        tp.Count = 1;
        tp.Luid = luid;
        tp.Attributes = 2; // SE_PRIVILEGE_ENABLED
        if (!AdjustTokenPrivileges(token, false, ref tp, 0, IntPtr.Zero, IntPtr.Zero)) return "AdjustTokenPrivileges failed (Win32 error " + Marshal.GetLastWin32Error() + ")";
        int adjusted = Marshal.GetLastWin32Error();
        if (adjusted == 1300) return "the session does not hold SeIncreaseQuotaPrivilege (ERROR_NOT_ALL_ASSIGNED)";
        if (adjusted != 0) return "AdjustTokenPrivileges failed (Win32 error " + adjusted + ")";
        // (SIZE_T)-1 for both sizes flushes the cache; flags 0 keeps the current limits
        if (!SetSystemFileCacheSize(new IntPtr(-1), new IntPtr(-1), 0)) return "SetSystemFileCacheSize failed (Win32 error " + Marshal.GetLastWin32Error() + ")";
        return null;
      } finally {
        CloseHandle(token);
      }
    }
  }
}
'@
  try {
    if (-not ('Benchgate.FileCache' -as [type])) { Add-Type -TypeDefinition $source -ErrorAction Stop }
    $why = [Benchgate.FileCache]::Flush()
  } catch {
    $why = ($_.Exception.Message -replace '\s*[\r\n]+\s*', ' ')
  }
  if ($why) { return [pscustomobject]@{ ExitCode = 1; Message = "file-system cache not flushed: $why" } }
  return [pscustomobject]@{ ExitCode = 0; Message = 'flushed the file-system cache (SetSystemFileCacheSize -1, -1)' }
}

if ($MyInvocation.InvocationName -ne '.') {
  $ProgressPreference = 'SilentlyContinue'
  $result = Invoke-ClearWindowsCache
  if ($result.ExitCode -eq 0) { [Console]::Out.WriteLine($result.Message) } else { [Console]::Error.WriteLine($result.Message) }
  exit $result.ExitCode
}
