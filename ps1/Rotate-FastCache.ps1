# Empties the FAST cache directory before a Cold run; the directory itself stays.
#
#   powershell -NoProfile -ExecutionPolicy Bypass -File ps1\Rotate-FastCache.ps1 -CacheDir D:\FAST\cache -ConfigFile benchgate.yaml
#   powershell -NoProfile -ExecutionPolicy Bypass -File ps1\Rotate-FastCache.ps1 -CacheDir D:\FAST\cache -AllowedRoot D:\FAST
#
# -CacheDir must be the directory the configuration names, or inside it: with -ConfigFile that is
# fast.cache_dir in the benchgate YAML (read with a regular expression, not a YAML parser: the
# `cache_dir:` line directly under a top-level `fast:` block, plain, 'single'- or "double"-quoted;
# a relative value is taken from the current directory, as benchgate does); with -AllowedRoot it
# is that directory. Give one of the two. Refused, with exit code 1 and one line on stderr naming
# the reason, and nothing removed: an empty or blank -CacheDir, a drive root (C:\, \\server\share),
# a path that does not exist or is not a directory, a path outside the allowed directory, an
# allowed directory that is a drive root. Links (symbolic links, junctions) inside the cache are
# removed as links; what they point to is left alone.
#
# Exit code 0 and one line on stdout: the files, bytes and directories removed. A removal that
# fails: exit code 1 and one line on stderr with what was removed before it. Runs on Windows
# PowerShell 5.1 and PowerShell 7. Dot-sourcing the file (Pester) defines the functions without
# running anything.
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][AllowEmptyString()][string]$CacheDir,
  [string]$ConfigFile = '',
  [string]$AllowedRoot = ''
)

# The absolute path of $Path (relative to the current location; TestDrive: and other drives
# resolved to the file system), with `..` and `/` normalised.
function Resolve-FullPath([string]$Path) {
  $provider = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
  return [System.IO.Path]::GetFullPath($provider)
}

function Get-TrimmedPath([string]$Path) {
  $trimmed = $Path.TrimEnd([char[]]'\/')
  if ($trimmed -eq '') { return $Path }
  return $trimmed
}

# True for C:\, \\server\share and the like.
function Test-DriveRoot([string]$FullPath) {
  $root = [System.IO.Path]::GetPathRoot($FullPath)
  if ([string]::IsNullOrEmpty($root)) { return $false }
  return (Get-TrimmedPath $root) -eq (Get-TrimmedPath $FullPath)
}

# True when $FullPath is $Root or below it (case-insensitive, as Windows paths are).
function Test-InsidePath([string]$FullPath, [string]$Root) {
  $p = Get-TrimmedPath $FullPath
  $r = Get-TrimmedPath $Root
  if ($p -eq $r) { return $true }
  return $p.StartsWith($r + '\', [System.StringComparison]::OrdinalIgnoreCase)
}

# The value of fast.cache_dir in a benchgate YAML file, or $null when it names none.
function Read-FastCacheDir([string]$ConfigPath) {
  $inFast = $false
  foreach ($line in [System.IO.File]::ReadAllLines($ConfigPath)) {
    if ($line -match '^\s*(#.*)?$') { continue }
    if ($line -match '^\S') {
      $inFast = $line -match '^fast\s*:\s*(#.*)?$'
      continue
    }
    if ($inFast -and $line -match '^\s+cache_dir\s*:(.*)$') {
      $value = $Matches[1].Trim()
      if ($value -match "^'((?:[^']|'')*)'") { $value = $Matches[1] -replace "''", "'" }
      elseif ($value -match '^"((?:[^"\\]|\\.)*)"') { $value = $Matches[1] -replace '\\(.)', '$1' }
      else { $value = ($value -replace '(^|\s+)#.*$', '').Trim() }
      if ($value -eq '' -or $value -eq '~' -or $value -eq 'null') { return $null }
      return $value
    }
  }
  return $null
}

function New-RotateResult([int]$ExitCode, [string]$Message) {
  return [pscustomobject]@{ ExitCode = $ExitCode; Message = $Message }
}

# Removes $Item (a file, a link, or a directory after its contents) and counts it in $Stats.
# .NET calls rather than Get-ChildItem/Remove-Item -Recurse: faster on many small chunk files, and
# Windows PowerShell 5.1's Remove-Item -Recurse follows junctions.
function Remove-CacheItem([System.IO.FileSystemInfo]$Item, [hashtable]$Stats) {
  $isLink = ($Item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -eq [System.IO.FileAttributes]::ReparsePoint
  if ($Item -is [System.IO.DirectoryInfo]) {
    if (-not $isLink) {
      foreach ($child in $Item.GetFileSystemInfos()) { Remove-CacheItem $child $Stats }
    }
    [System.IO.Directory]::Delete($Item.FullName, $false) # a link: removes the link only
    $Stats.Directories += 1
  } else {
    $length = $Item.Length
    if ($Item.IsReadOnly) { $Item.IsReadOnly = $false }
    $Item.Delete()
    $Stats.Files += 1
    $Stats.Bytes += $length
  }
}

# Returns ExitCode and Message (one line); writes nothing.
function Invoke-RotateFastCache {
  param([AllowEmptyString()][string]$CacheDir, [string]$ConfigFile = '', [string]$AllowedRoot = '')
  $ErrorActionPreference = 'Stop'
  if ([string]::IsNullOrWhiteSpace($CacheDir)) { return (New-RotateResult 1 'refused: -CacheDir is empty') }
  $haveConfig = -not [string]::IsNullOrWhiteSpace($ConfigFile)
  $haveRoot = -not [string]::IsNullOrWhiteSpace($AllowedRoot)
  if ($haveConfig -eq $haveRoot) {
    return (New-RotateResult 1 'refused: give either -ConfigFile <benchgate yaml> (its fast.cache_dir) or -AllowedRoot <directory>, not both or neither')
  }
  try { $full = Resolve-FullPath $CacheDir } catch { return (New-RotateResult 1 "refused: -CacheDir '$CacheDir' is not a valid path") }
  if (Test-DriveRoot $full) { return (New-RotateResult 1 "refused: $full is a drive root") }
  if (-not (Test-Path -LiteralPath $full -PathType Container)) { return (New-RotateResult 1 "refused: $full does not exist or is not a directory") }

  if ($haveRoot) {
    try { $root = Resolve-FullPath $AllowedRoot } catch { return (New-RotateResult 1 "refused: -AllowedRoot '$AllowedRoot' is not a valid path") }
    $from = '-AllowedRoot'
  } else {
    try { $config = Resolve-FullPath $ConfigFile } catch { return (New-RotateResult 1 "refused: -ConfigFile '$ConfigFile' is not a valid path") }
    if (-not (Test-Path -LiteralPath $config -PathType Leaf)) { return (New-RotateResult 1 "refused: the config file $config does not exist") }
    try { $named = Read-FastCacheDir $config } catch { return (New-RotateResult 1 "refused: the config file $config cannot be read: $($_.Exception.Message)") }
    if ($null -eq $named) { return (New-RotateResult 1 "refused: $config names no fast.cache_dir (add it, or pass -AllowedRoot)") }
    try { $root = Resolve-FullPath $named } catch { return (New-RotateResult 1 "refused: fast.cache_dir '$named' in $config is not a valid path") }
    $from = "fast.cache_dir in $config"
  }
  if (Test-DriveRoot $root) { return (New-RotateResult 1 "refused: the allowed directory $root ($from) is a drive root") }
  if (-not (Test-InsidePath $full $root)) { return (New-RotateResult 1 "refused: $full is outside $root ($from)") }

  $stats = @{ Files = 0; Bytes = [long]0; Directories = 0 }
  try {
    foreach ($item in (New-Object System.IO.DirectoryInfo($full)).GetFileSystemInfos()) { Remove-CacheItem $item $stats }
  } catch {
    $why = $_.Exception.Message -replace '\s*[\r\n]+\s*', ' '
    return (New-RotateResult 1 ("failed emptying {0} after removing {1} files ({2} bytes) and {3} directories: {4}" -f $full, $stats.Files, $stats.Bytes, $stats.Directories, $why))
  }
  return (New-RotateResult 0 ("emptied {0}: removed {1} files ({2} bytes) and {3} directories" -f $full, $stats.Files, $stats.Bytes, $stats.Directories))
}

if ($MyInvocation.InvocationName -ne '.') {
  $ProgressPreference = 'SilentlyContinue'
  $result = Invoke-RotateFastCache -CacheDir $CacheDir -ConfigFile $ConfigFile -AllowedRoot $AllowedRoot
  if ($result.ExitCode -eq 0) { [Console]::Out.WriteLine($result.Message) } else { [Console]::Error.WriteLine($result.Message) }
  exit $result.ExitCode
}
