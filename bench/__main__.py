from bench.cli.parser import main

raise SystemExit(main())
