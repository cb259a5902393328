from regwarden.cli.app import main

main()
