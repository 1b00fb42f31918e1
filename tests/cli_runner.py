"""Run the command line in-process, as the CLI tests do."""

from numpynn import cli


def run(capsys, *argv):
    """``numpynn ARGV...`` (arguments may be Paths): the exit code, stdout and stderr."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
