; Inno Setup script: the Windows installer of the PyInstaller one-dir build (dist\reach-studio\).
; Built by .github/workflows/installers.yml on a Windows runner:
;   iscc /DAppVersion=0.1.0 packaging\windows\reach-studio.iss
; -> dist\reach-studio-0.1.0-windows-x64-setup.exe (Start-menu entry, optional desktop icon, uninstaller)
#ifndef AppVersion
  #error Pass the version from pyproject.toml: iscc /DAppVersion=X.Y.Z
#endif

[Setup]
AppId={{6C1B8E52-4F3A-4D7E-9B0D-2F5E8A7C3D41}
AppName=Reach Studio
AppVersion={#AppVersion}
AppVerName=Reach Studio {#AppVersion}
AppPublisher=Reach Studio
DefaultDirName={autopf}\Reach Studio
DefaultGroupName=Reach Studio
DisableProgramGroupPage=yes
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=reach-studio-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\reach-studio.ico
UninstallDisplayIcon={app}\reach-studio.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\reach-studio\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Reach Studio"; Filename: "{app}\reach-studio.exe"
Name: "{group}\Reach Studio demo"; Filename: "{app}\reach-studio.exe"; Parameters: "demo"
Name: "{group}\Uninstall Reach Studio"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Reach Studio"; Filename: "{app}\reach-studio.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\reach-studio.exe"; Description: "{cm:LaunchProgram,Reach Studio}"; Flags: nowait postinstall skipifsilent
