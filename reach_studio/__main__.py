from reach_studio.cli import main

raise SystemExit(main())
