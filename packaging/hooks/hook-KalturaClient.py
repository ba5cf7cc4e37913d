# PyInstaller hook: KalturaClient finds its plugins with os.listdir() over Plugins/*.py at run time,
# so a frozen app without the .py files has no client.reach / client.caption (platform-notes §7).
from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("KalturaClient")
module_collection_mode = "py"  # ship Plugins/*.py on disk so loadPlugins() finds them
