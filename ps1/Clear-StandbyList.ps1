# Purges the Windows standby list (the file cache) so the next read of a volume comes from the
# NAS or the FAST cache, not from RAM: a Cold run. Needs an elevated (administrator) session with
# SeProfileSingleProcessPrivilege. Exit code 0 on success; otherwise 1 and one line on stderr
# saying why, which benchgate records in run.json as the real cache state.
$ErrorActionPreference = 'Stop'
$source = @"
using System;
using System.Runtime.InteropServices;
public static class StandbyList {
  [DllImport("ntdll.dll")] static extern int NtSetSystemInformation(int infoClass, ref int info, int length);
  [DllImport("advapi32.dll", SetLastError = true)] static extern bool OpenProcessToken(IntPtr process, int access, out IntPtr token);
  [DllImport("advapi32.dll", SetLastError = true)] static extern bool LookupPrivilegeValue(string host, string name, out long luid);
  [DllImport("advapi32.dll", SetLastError = true)] static extern bool AdjustTokenPrivileges(IntPtr token, bool disableAll, ref TokenPrivileges state, int length, IntPtr previous, IntPtr returned);
  [DllImport("kernel32.dll")] static extern IntPtr GetCurrentProcess();
  [StructLayout(LayoutKind.Sequential, Pack = 4)] struct TokenPrivileges { public int Count; public long Luid; public int Attributes; }
  public static int Purge() {
    IntPtr token;
    if (!OpenProcessToken(GetCurrentProcess(), 0x28, out token)) return -1;
    long luid;
    if (!LookupPrivilegeValue(null, "SeProfileSingleProcessPrivilege", out luid)) return -2;
    var tp = new TokenPrivileges { Count = 1, Luid = luid, Attributes = 2 };
    if (!AdjustTokenPrivileges(token, false, ref tp, 0, IntPtr.Zero, IntPtr.Zero) || Marshal.GetLastWin32Error() != 0) return -3;
    int command = 4; // MemoryPurgeStandbyList
    return NtSetSystemInformation(80, ref command, 4); // SystemMemoryListInformation
  }
}
"@
try {
  Add-Type -TypeDefinition $source
  $status = [StandbyList]::Purge()
  if ($status -ne 0) {
    [Console]::Error.WriteLine("standby list not purged (status $status): run benchgate from an elevated session")
    exit 1
  }
  exit 0
} catch {
  [Console]::Error.WriteLine("standby list not purged: $($_.Exception.Message)")
  exit 1
}
