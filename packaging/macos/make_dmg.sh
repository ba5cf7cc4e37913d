#!/usr/bin/env bash
# macOS: "dist/Reach Studio.app" (PyInstaller BUNDLE from packaging/reach_studio.spec) into a .dmg with an
# Applications link to drag it to. Run on a macOS runner (.github/workflows/installers.yml) after:
#   python -m PyInstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/reach_studio.spec
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
app="dist/Reach Studio.app"
"$app/Contents/MacOS/reach-studio" --version
stage=build/dmg
rm -rf "$stage" && mkdir -p "$stage"
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
hdiutil create -volname "Reach Studio $version" -srcfolder "$stage" -ov -format UDZO \
  "dist/reach-studio-$version-macos-$(uname -m).dmg"
