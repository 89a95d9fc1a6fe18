from credence.cli import main

main()
