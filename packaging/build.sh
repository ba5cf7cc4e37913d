#!/usr/bin/env bash
# Linux installers from the PyInstaller one-dir build:
#   dist/reach-studio/                                  the frozen app (PyInstaller, packaging/reach_studio.spec)
#   dist/reach-studio-VERSION-linux-x86_64.tar.gz      that folder + desktop entry and icons
#   dist/reach-studio_VERSION_amd64.deb                 /opt/reach-studio, /usr/bin/reach-studio, menu entry, icons
# CPU heavy (minutes): not part of the test suite. `bash packaging/deb_clean_check.sh` installs the .deb
# in a clean Debian root and measures it. SKIP_PYINSTALLER=1 repackages an existing dist/reach-studio/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
mkdir -p build
.venv/bin/python -m pip install -q -e ".[packaging]" > build/pip-packaging.log 2>&1 \
  || { tail -n 30 build/pip-packaging.log; exit 1; }
version=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
if [ -z "${SKIP_PYINSTALLER:-}" ]; then
  .venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/reach_studio.spec
fi
app=dist/reach-studio
# The .deb's Depends: the libraries the frozen Qt and python-vlc load (reach_studio/system_packages.txt, roles
# x11 and media), the ffmpeg/ffprobe the app runs (not bundled on Linux), and fonts for Qt to draw text with.
mapfile -t depends_list < <(awk '!/^#/ && NF >= 2 && ($2 == "x11" || $2 == "media") {print $1}' \
  reach_studio/system_packages.txt | sort -u)
depends_list+=(ffmpeg fonts-dejavu-core)
depends=$(printf '%s\n' "${depends_list[@]}" | grep -vx 'ffmpeg\|fonts-dejavu-core' | paste -sd, | sed 's/,/, /g')
if [ "$(uname -s)" = Linux ]; then
  .venv/bin/python packaging/slim_linux.py "$app" "${depends_list[@]}"
fi
# Smoke test: the frozen client must still see its plugins, and say the pyproject version.
test "$(QT_QPA_PLATFORM=offscreen "$app/reach-studio" --version)" = "reach-studio $version"

# Files every Linux package installs next to the app: menu entry, icons, AppStream metadata.
share=build/share
rm -rf "$share" && mkdir -p "$share/applications" "$share/metainfo" "$share/icons/hicolor/scalable/apps"
cp resources/reach-studio.desktop "$share/applications/"
cp resources/*.metainfo.xml "$share/metainfo/"
cp -r resources/icons/hicolor "$share/icons/"
cp resources/icons/reach-studio.svg "$share/icons/hicolor/scalable/apps/"

# .tar.gz: unpack anywhere, run reach-studio-VERSION/reach-studio (system libraries: see the .deb's Depends)
tarname=reach-studio-$version-linux-$(uname -m)
rm -rf "build/$tarname" && mkdir -p "build/$tarname"
cp -a "$app/." "build/$tarname/"
cp -r "$share" "build/$tarname/share"
tar -C build -czf "dist/$tarname.tar.gz" "$tarname"

# .deb
arch=$(dpkg --print-architecture)
deb=build/deb/reach-studio_${version}_$arch
rm -rf "$deb" && mkdir -p "$deb/DEBIAN" "$deb/opt" "$deb/usr/bin" "$deb/usr/share"
cp -a "$app" "$deb/opt/reach-studio"
ln -s /opt/reach-studio/reach-studio "$deb/usr/bin/reach-studio"
cp -r "$share/." "$deb/usr/share/"
cat > "$deb/DEBIAN/control" <<EOF
Package: reach-studio
Version: $version
Architecture: $arch
Maintainer: Reach Studio maintainers <reach-studio@users.noreply.github.com>
Installed-Size: $(du -sk --apparent-size "$deb" | cut -f1)
Depends: libc6 (>= 2.28), $depends, ffmpeg, fonts-dejavu-core | fonts-liberation2
Suggests: gnome-keyring
Section: video
Priority: optional
Description: workbench for the linguists who fulfil Kaltura REACH vendor tasks
 Reach Studio shows the Kaltura REACH tasks waiting for a vendor in a fair queue, claims them,
 downloads their media and opens the editor for each kind of task (captions, translation, audio
 description, chapters, dubbing, sign language, live captions), then delivers the result.
 Includes a local Kaltura REACH emulator (reach-studio demo) and a headless sync mode.
EOF
# gzip: xz took over 5 CPU-minutes on the shared build machine for ~20% smaller packages
dpkg-deb --root-owner-group -Zgzip --build "$deb" "dist/reach-studio_${version}_$arch.deb" > /dev/null
# What the installed size is made of (the .deb's target is 250 MB): the biggest parts of the build.
echo "build: largest parts of dist/reach-studio/_internal (MB):"
du -sm "$app"/_internal/* | sort -rn | head -n 12 | awk '{printf "  %5d  %s\n", $1, $2}'
echo "build: $(du -sh "$app" | cut -f1) dist/reach-studio/; $(du -h "dist/$tarname.tar.gz" | cut -f1) dist/$tarname.tar.gz;" \
  "$(du -h "dist/reach-studio_${version}_$arch.deb" | cut -f1) dist/reach-studio_${version}_$arch.deb"
