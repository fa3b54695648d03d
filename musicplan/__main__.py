from musicplan.cli import run

run()
