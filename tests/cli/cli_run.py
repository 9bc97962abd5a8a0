"""How the CLI's end-to-end tests run phaseout: one command on one store, its exit status
checked. The test's main names the binary (cli_run.PHASEOUT)."""
import subprocess

PHASEOUT = None


def run(db, *args, expect=0):
    proc = subprocess.run([PHASEOUT, "--db", db, *args], capture_output=True, text=True)
    if expect is not None and proc.returncode != expect:
        raise AssertionError(
            f"phaseout {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc
