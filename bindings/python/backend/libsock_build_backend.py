"""In-tree PEP 517 build backend for libsock's Python bindings.

It needs nothing but the standard library, CMake, a C compiler and SWIG, so
``python3 -m pip install .`` works offline (``[build-system] requires = []``
in pyproject.toml: pip has nothing to download).

build_wheel: configure the repository with CMake (LIBSOCK_PYTHON=ON, for the
interpreter running this backend), build the extension target, and zip the
package directory the build produces (libsock/ with the extension, the
pure-Python modules, the .pyi stub and py.typed) into a wheel.

config_settings (pip: --config-settings KEY=VALUE):
  cmake.args    extra CMake arguments, separated by ';'
  build-dir     reuse this build directory instead of a temporary one
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[3]
NAME = "libsock"
SUMMARY = "Python bindings of libsock, a portable C socket library (drop-in for socket)"


def _version() -> str:
    text = (ROOT / "include" / "libsock" / "version.h").read_text()
    parts = [re.search(r"#define LS_VERSION_%s (\d+)" % p, text).group(1)  # type: ignore[union-attr]
             for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


def _tag() -> str:
    impl = "cp" if sys.implementation.name == "cpython" else sys.implementation.name[:2]
    ver = "%d%d" % sys.version_info[:2]
    abi = impl + ver + ("d" if hasattr(sys, "gettotalrefcount") else "")
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return "%s%s-%s-%s" % (impl, ver, abi, plat)


def _metadata() -> str:
    readme = ROOT / "docs" / "python.md"
    body = readme.read_text(encoding="utf-8") if readme.exists() else ""
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\nVersion: {_version()}\nSummary: {SUMMARY}\n"
        "Requires-Python: >=3.8\n"
        "Description-Content-Type: text/markdown\n\n" + body)


def _wheel_file() -> str:
    return ("Wheel-Version: 1.0\nGenerator: libsock_build_backend\n"
            f"Root-Is-Purelib: false\nTag: {_tag()}\n")


def _cmake_build(build_dir: Path, extra: List[str]) -> Path:
    cmake = shutil.which("cmake")
    if cmake is None:
        raise RuntimeError("libsock: cmake is needed to build the Python extension")
    args = [cmake, "-S", str(ROOT), "-B", str(build_dir),
            "-DLIBSOCK_PYTHON=ON", "-DBUILD_TESTING=OFF",
            "-DLIBSOCK_EXAMPLES=OFF", "-DLIBSOCK_BENCH=OFF",
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython3_EXECUTABLE={sys.executable}"]
    if shutil.which("ninja") and not (build_dir / "CMakeCache.txt").exists():
        args += ["-G", "Ninja"]
    subprocess.run(args + extra, check=True, stdout=sys.stderr)
    subprocess.run([cmake, "--build", str(build_dir), "--config", "Release",
                    "--target", "libsock_python"], check=True, stdout=sys.stderr)
    pkg = build_dir / "bindings" / "python" / "pkg" / NAME
    if not pkg.is_dir():
        raise RuntimeError(f"libsock: the build did not produce {pkg}")
    return pkg


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


# ---- PEP 517 hooks ------------------------------------------------------

def get_requires_for_build_wheel(config_settings: Optional[Dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Optional[Dict] = None) -> str:
    dist_info = Path(metadata_directory) / f"{NAME}-{_version()}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata(), encoding="utf-8")
    (dist_info / "WHEEL").write_text(_wheel_file())
    return dist_info.name


def build_wheel(wheel_directory: str, config_settings: Optional[Dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    settings = config_settings or {}
    extra = [a for a in str(settings.get("cmake.args", "")).split(";") if a]
    tmp = None
    if settings.get("build-dir"):
        build_dir = Path(settings["build-dir"]).resolve()
    else:
        tmp = tempfile.mkdtemp(prefix="libsock-wheel-")
        build_dir = Path(tmp)
    try:
        pkg = _cmake_build(build_dir, extra)
        version = _version()
        wheel_name = f"{NAME}-{version}-{_tag()}.whl"
        dist_info = f"{NAME}-{version}.dist-info"
        records: List[str] = []
        out = Path(wheel_directory) / wheel_name
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            def add(arcname: str, data: bytes) -> None:
                zf.writestr(arcname, data)
                records.append(_record_line(arcname, data))

            for path in sorted(pkg.iterdir()):
                if path.is_file() and path.suffix != ".pyc":
                    add(f"{NAME}/{path.name}", path.read_bytes())
            add(f"{dist_info}/METADATA", _metadata().encode("utf-8"))
            add(f"{dist_info}/WHEEL", _wheel_file().encode())
            add(f"{dist_info}/top_level.txt", f"{NAME}\n".encode())
            records.append(f"{dist_info}/RECORD,,")
            zf.writestr(f"{dist_info}/RECORD", "\n".join(records) + "\n")
        return wheel_name
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


_SDIST_SKIP = {".git", "build", "__pycache__", ".cache"}


def build_sdist(sdist_directory: str, config_settings: Optional[Dict] = None) -> str:
    base = f"{NAME}-{_version()}"
    name = f"{base}.tar.gz"

    def keep(info: tarfile.TarInfo) -> Optional[tarfile.TarInfo]:
        parts = Path(info.name).parts
        return None if any(p in _SDIST_SKIP for p in parts) else info

    with tarfile.open(Path(sdist_directory) / name, "w:gz") as tf:
        for entry in sorted(os.listdir(ROOT)):
            if entry not in _SDIST_SKIP:
                tf.add(str(ROOT / entry), arcname=f"{base}/{entry}", filter=keep)
        pkg_info = _metadata().encode("utf-8")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        import io
        tf.addfile(info, io.BytesIO(pkg_info))
    return name
