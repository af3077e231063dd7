#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak manifest cannot be built here (it needs the network and the
# GNOME SDK), so it is checked instead: flatpak-builder parses it (and
# prints it back as JSON, which is what the checks read), its ids match the
# desktop file, the metainfo and the MIME type in data/, its runtime and
# permissions are the ones Distillery needs and no more, every downloaded
# source is pinned by url and sha256, and OpenBLAS is built for every CPU
# with a baseline target. The metainfo's screenshots must exist in
# docs/screenshots, where their URLs point.
#
# Usage: test-manifest.py MANIFEST DESKTOP METAINFO MIME-XML SCREENSHOT-DIR

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

manifest_path, desktop_path, metainfo_path, mime_path, screenshot_dir = sys.argv[1:6]
flatpak_builder = shutil.which("flatpak-builder")
if flatpak_builder is None:
    print("1..0 # SKIP flatpak-builder is not installed (build-aux/setup.sh installs it)")
    sys.exit(0)

checks = []


def check(name):
    def wrap(fn):
        checks.append((name, fn))
        return fn
    return wrap


def base_id(app_id):
    """The id without the development suffix that -Ddevelopment=true adds."""
    return app_id[:-len(".Devel")] if app_id.endswith(".Devel") else app_id


def read_desktop(path):
    entry, group = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            entry[key] = value
    return entry


shown = subprocess.run([flatpak_builder, "--show-manifest", manifest_path],
                       capture_output=True, text=True)
manifest = json.loads(shown.stdout) if shown.returncode == 0 else {}
desktop = read_desktop(desktop_path)
metainfo = ET.parse(metainfo_path).getroot()
mime_ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
mime_types = [t.get("type") for t in ET.parse(mime_path).getroot().iter(mime_ns + "mime-type")]
app_id = manifest.get("id") or manifest.get("app-id")
modules = manifest.get("modules", [])


@check("flatpak-builder --show-manifest parses the manifest")
def _():
    assert shown.returncode == 0, shown.stderr.strip()


@check("the application id matches the desktop file, the metainfo and the file name")
def _():
    meta_id = metainfo.findtext("id")
    launchable = metainfo.findtext("launchable")
    assert app_id == base_id(meta_id), f"manifest {app_id}, metainfo {meta_id}"
    assert launchable == meta_id + ".desktop", f"launchable {launchable}"
    assert base_id(desktop["Icon"]) == app_id, f"desktop Icon {desktop['Icon']}"
    assert os.path.basename(desktop_path) == meta_id + ".desktop", desktop_path
    assert os.path.basename(mime_path) == meta_id + ".xml", f"{mime_path}: Flatpak exports only files named after the id"
    assert os.path.basename(manifest_path).rsplit(".", 1)[0] == app_id, manifest_path


@check("the command is the one the desktop file starts")
def _():
    assert manifest.get("command") == "distillery", manifest.get("command")
    assert desktop["Exec"].split()[0] == manifest["command"], desktop["Exec"]
    binaries = [b.text for b in metainfo.iter("binary")]
    assert manifest["command"] in binaries, binaries


@check("the project MIME type is the one the desktop file and the metainfo name")
def _():
    listed = [t for t in desktop.get("MimeType", "").split(";") if t]
    provided = [m.text for m in metainfo.iter("mediatype")]
    assert mime_types == ["application/x-distillery-project"], mime_types
    assert listed == mime_types, f"desktop MimeType {listed}"
    assert provided == mime_types, f"metainfo mediatype {provided}"


@check("runtime org.gnome.Platform 50 with org.gnome.Sdk")
def _():
    got = (manifest.get("runtime"), manifest.get("runtime-version"), manifest.get("sdk"))
    assert got == ("org.gnome.Platform", "50", "org.gnome.Sdk"), got


@check("finish-args are exactly ipc, wayland, fallback-x11 and dri")
def _():
    args = manifest.get("finish-args", [])
    wanted = {"--share=ipc", "--socket=wayland", "--socket=fallback-x11", "--device=dri"}
    assert sorted(args) == sorted(wanted), f"finish-args {args}"
    assert not [a for a in args if a.startswith("--filesystem")], "files go through the portal"


@check("every downloaded source has a url and a sha256; a dir source only for the application")
def _():
    problems = []
    for module in modules:
        for source in module.get("sources", []):
            kind = source.get("type")
            if kind in ("archive", "file"):
                if not re.match(r"https://", source.get("url", "")):
                    problems.append(f"{module['name']}: {kind} source without an https url")
                if not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
                    problems.append(f"{module['name']}: {source.get('url')} without a sha256")
            elif kind == "dir":
                if module is not modules[-1] or module["name"] != "distillery":
                    problems.append(f"{module['name']}: only the application may be built from a dir")
            else:
                problems.append(f"{module['name']}: a {kind} source; pin it by url and sha256")
    assert not problems, "; ".join(problems)


@check("OpenBLAS: every CPU kernel (DYNAMIC_ARCH) over a baseline TARGET on each architecture")
def _():
    openblas = next(m for m in modules if m["name"] == "openblas")
    commands = " ".join(openblas.get("build-commands", []))
    assert "DYNAMIC_ARCH=1" in commands, commands
    target = re.search(r"TARGET=(\S+)", commands)
    assert target, "no TARGET"
    if target.group(1).startswith("$"):
        variable = target.group(1).strip("${}")
        arches = openblas.get("build-options", {}).get("arch", {})
        for arch in ("x86_64", "aarch64"):
            value = arches.get(arch, {}).get("env", {}).get(variable)
            assert value, f"{variable} is not set for {arch}"


@check("the application module builds with meson, after OpenBLAS")
def _():
    names = [m["name"] for m in modules]
    assert names[-1] == "distillery" and "openblas" in names[:-1], names
    assert modules[-1].get("buildsystem") == "meson", modules[-1].get("buildsystem")


@check("the metainfo's screenshots are the ones in docs/screenshots")
def _():
    images = [i.text for i in metainfo.iter("image")]
    assert images, "no screenshots"
    for url in images:
        assert url.startswith("https://"), url
        name = os.path.basename(url)
        assert os.path.isfile(os.path.join(screenshot_dir, name)), f"{url}: no {name} in docs/screenshots"


print(f"1..{len(checks)}")
failed = 0
for number, (name, fn) in enumerate(checks, 1):
    try:
        fn()
        print(f"ok {number} - {name}")
    except Exception as error:  # a failed check or a missing key: report it, go on
        failed += 1
        print(f"not ok {number} - {name}")
        print(f"# {type(error).__name__}: {error}")
sys.exit(1 if failed else 0)
