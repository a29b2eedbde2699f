# Purges the Windows standby list (file pages kept in RAM after their last use) so the next read
# of a volume comes from the NAS or the FAST cache, not from RAM: a Cold run. Needs an elevated
# (administrator) session, whose token holds SeProfileSingleProcessPrivilege; the script enables
# it, then calls NtSetSystemInformation(SystemMemoryListInformation, MemoryPurgeStandbyList).
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File ps1\Clear-StandbyList.ps1
#
# Exit code 0 and one line on stdout on success; otherwise 1 and one line on stderr saying why,
# which benchgate records in run.json as the real cache state. Runs on Windows PowerShell 5.1 and
# PowerShell 7. Dot-sourcing the file (Pester) defines the functions without running anything.
[CmdletBinding()]
param()

function Test-Administrator {
  $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
  $principal = New-Object System.Security.Principal.WindowsPrincipal($identity)
  return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

# Returns ExitCode and Message (one line); writes nothing. -IsAdministrator overrides the check.
function Invoke-ClearStandbyList {
  param([bool]$IsAdministrator = (Test-Administrator))
  if (-not $IsAdministrator) {
    return [pscustomobject]@{ ExitCode = 1; Message = 'standby list not purged: needs administrator rights (run from an elevated session)' }
  }
  $source = @'
using System;
using System.Runtime.InteropServices;
namespace Benchgate {
  public static class StandbyList {
    [DllImport("kernel32.dll")] static extern IntPtr GetCurrentProcess();
    [DllImport("kernel32.dll", SetLastError = true)] static extern bool CloseHandle(IntPtr handle);
    [DllImport("advapi32.dll", SetLastError = true)] static extern bool OpenProcessToken(IntPtr process, int access, out IntPtr token);
    [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)] static extern bool LookupPrivilegeValue(string host, string name, out long luid);
    [DllImport("advapi32.dll", SetLastError = true)] static extern bool AdjustTokenPrivileges(IntPtr token, bool disableAll, ref TokenPrivileges state, int length, IntPtr previous, IntPtr returned);
    [DllImport("ntdll.dll")] static extern int NtSetSystemInformation(int infoClass, ref int info, int length);
    [StructLayout(LayoutKind.Sequential, Pack = 4)] struct TokenPrivileges { public int Count; public long Luid; public int Attributes; }

    // null on success, otherwise which step failed and its error code.
    public static string Purge() {
      IntPtr token;
      if (!OpenProcessToken(GetCurrentProcess(), 0x28, out token)) return "OpenProcessToken failed (Win32 error " + Marshal.GetLastWin32Error() + ")"; // TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY
      try {
        long luid;
        if (!LookupPrivilegeValue(null, "SeProfileSingleProcessPrivilege", out luid)) return "LookupPrivilegeValue failed (Win32 error " + Marshal.GetLastWin32Error() + ")";
        TokenPrivileges tp = new TokenPrivileges();
        tp.Count = 1;
        tp.Luid = luid;
        tp.Attributes = 2; // SE_PRIVILEGE_ENABLED
        if (!AdjustTokenPrivileges(token, false, ref tp, 0, IntPtr.Zero, IntPtr.Zero)) return "AdjustTokenPrivileges failed (Win32 error " + Marshal.GetLastWin32Error() + ")";
        int adjusted = Marshal.GetLastWin32Error();
        if (adjusted == 1300) return "the session does not hold SeProfileSingleProcessPrivilege (ERROR_NOT_ALL_ASSIGNED)";
        if (adjusted != 0) return "AdjustTokenPrivileges failed (Win32 error " + adjusted + ")";
        int command = 4; // MemoryPurgeStandbyList
        int status = NtSetSystemInformation(80, ref command, 4); // SystemMemoryListInformation
        if (status != 0) return "NtSetSystemInformation failed (NTSTATUS 0x" + status.ToString("X8") + ")";
        return null;
      } finally {
        CloseHandle(token);
      }
    }
  }
}
'@
  try {
    if (-not ('Benchgate.StandbyList' -as [type])) { Add-Type -TypeDefinition $source -ErrorAction Stop }
    $why = [Benchgate.StandbyList]::Purge()
  } catch {
    $why = ($_.Exception.Message -replace '\s*[\r\n]+\s*', ' ')
  }
  if ($why) { return [pscustomobject]@{ ExitCode = 1; Message = "standby list not purged: $why" } }
  return [pscustomobject]@{ ExitCode = 0; Message = 'purged the standby list (NtSetSystemInformation MemoryPurgeStandbyList)' }
}

if ($MyInvocation.InvocationName -ne '.') {
  $ProgressPreference = 'SilentlyContinue'
  $result = Invoke-ClearStandbyList
  if ($result.ExitCode -eq 0) { [Console]::Out.WriteLine($result.Message) } else { [Console]::Error.WriteLine($result.Message) }
  exit $result.ExitCode
}
