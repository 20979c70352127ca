from gongkai.views.cli import main

main()
