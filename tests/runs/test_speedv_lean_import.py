"""A kernel imports scipy.special at boot without numpy's f2py and testing packages
(ucj.runs.kernel_launch.import_scipy_special): checked in fresh interpreters against the plain import, and
numpy's two packages still import as usual afterwards."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
{how}
import numpy, scipy.special
loaded = {{m: m in sys.modules for m in ("numpy.f2py", "numpy.testing", "charset_normalizer")}}
values = [float(scipy.special.ndtri(0.975)), float(scipy.special.ndtr(-1.5)), float(scipy.special.chdtrc(3, 7.5)),
          float(scipy.special.pdtrc(4, 2.5))]
import numpy.testing, numpy.f2py
after = [callable(numpy.testing.assert_array_equal), callable(numpy.f2py.run_main), numpy.f2py.__name__]
print(json.dumps({{"loaded": loaded, "values": values, "after": after}}))
"""


def _probe(how: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE.format(how=how)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_the_kernels_scipy_import_leaves_numpys_tools_out_and_gives_the_same_functions():
    plain = _probe("")
    lean = _probe("from ucj.runs.kernel_launch import import_scipy_special\nimport_scipy_special()")
    assert not any(lean["loaded"].values()), lean["loaded"]
    # the plain import loads them (with this scipy): what the lean import saves
    assert plain["loaded"]["numpy.f2py"] and plain["loaded"]["numpy.testing"]
    assert lean["values"] == plain["values"]
    # afterwards numpy's packages are the real ones, imported on demand
    assert lean["after"] == plain["after"] == [True, True, "numpy.f2py"]


def test_the_kernels_boot_line_uses_it():
    from ucj.runs import kernel_launch

    boot = "\n".join(kernel_launch.KERNEL_BOOT_LINES)
    assert "import_scipy_special()" in boot and "scipy.special" not in boot.replace("import_scipy_special", "")
