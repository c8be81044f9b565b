# scripts/lib.sh - shared by scripts/test and scripts/demo (sourced, not run).
#
# ensure_tools installs the Debian packages that provide missing tools, with
# apt-get when running as root or with sudo, or stops at once printing the
# exact command to run.

# tool -> Debian package that provides it
ls_pkg_for() {
  case "$1" in
    cmake) echo cmake ;;
    ninja) echo ninja-build ;;
    cc|gcc) echo gcc ;;
    clang) echo clang ;;
    pkg-config) echo pkg-config ;;
    swig) echo swig ;;
    x86_64-w64-mingw32-gcc) echo gcc-mingw-w64-x86-64 ;;
    wine) echo "wine wine64" ;;
    python3) echo "python3 python3-dev python3-venv" ;;
    promtool) echo prometheus ;;
    *) echo "$1" ;;
  esac
}

ensure_tools() {
  local missing=() pkgs=() t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  for t in "${missing[@]}"; do
    # shellcheck disable=SC2207
    pkgs+=($(ls_pkg_for "$t"))
  done
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "error: missing tools: ${missing[*]}" >&2
      echo "install them with:  sudo apt-get update && sudo apt-get install -y ${pkgs[*]}" >&2
      exit 1
    fi
  fi
  echo "== installing ${pkgs[*]} (for ${missing[*]})"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
  for t in "${missing[@]}"; do
    command -v "$t" >/dev/null 2>&1 || { echo "error: $t still missing after installing ${pkgs[*]}" >&2; exit 1; }
  done
}

# The interpreter itself, not a pyenv shim, so CMake finds its headers.
ls_python() {
  python3 -c 'import sys; print(sys.executable)'
}

# Python headers must exist for the bindings; Debian's python3-dev has them.
ensure_python_dev() {
  local py inc
  py=$(ls_python)
  inc=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
  if [ ! -f "$inc/Python.h" ]; then
    echo "error: $py has no headers ($inc/Python.h)." >&2
    echo "install them with:  sudo apt-get install -y python3-dev" >&2
    exit 1
  fi
}

# clang's libFuzzer and sanitizer runtimes (Debian: libclang-rt-<version>-dev),
# which a bare clang package does not always bring.
ensure_fuzzer_runtime() {
  local probe dir
  dir=$(mktemp -d)
  probe="$dir/f.c"
  printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$probe"
  if ! clang -fsanitize=fuzzer,address "$probe" -o "$dir/f" >/dev/null 2>&1; then
    local ver pkg sudo=""
    ver=$(clang -dumpversion | cut -d. -f1)
    pkg="libclang-rt-$ver-dev"
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo"
      else
        echo "error: clang's fuzzer runtime is missing" >&2
        echo "install it with:  sudo apt-get install -y $pkg" >&2
        rm -rf "$dir"
        exit 1
      fi
    fi
    echo "== installing $pkg (libFuzzer)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$pkg" >/dev/null
    clang -fsanitize=fuzzer,address "$probe" -o "$dir/f" >/dev/null 2>&1 ||
      { echo "error: clang still cannot link libFuzzer after installing $pkg" >&2; rm -rf "$dir"; exit 1; }
  fi
  rm -rf "$dir"
}

# ensure_debs PKG...: install Debian packages that provide no command (a
# library's headers, like libssl-dev for TLS), as ensure_tools does: with
# apt-get as root or with sudo, or stop printing the command. Skipped where
# there is no dpkg (not Debian): CMake then reports what it cannot find.
ensure_debs() {
  local missing=() p sudo=""
  command -v dpkg-query >/dev/null 2>&1 || return 0
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "error: missing packages: ${missing[*]}" >&2
      echo "install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "== installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
