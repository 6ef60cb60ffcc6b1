"""Generates src/cairn/types/_generated.py from spec/openapi.yaml; `--check` fails on drift."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
SPEC = PACKAGE.parent.parent / "spec" / "openapi.yaml"
TARGET = PACKAGE / "src" / "cairn" / "types" / "_generated.py"
HEADER = "# Generated from spec/openapi.yaml by scripts/generate_types.py: do not edit.\n"


def generate() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "models.py"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "datamodel_code_generator",
                "--input",
                str(SPEC),
                "--input-file-type",
                "openapi",
                "--output",
                str(out),
                "--output-model-type",
                "pydantic_v2.BaseModel",
                "--target-python-version",
                "3.9",
                "--snake-case-field",
                "--allow-population-by-field-name",
                "--use-schema-description",
                "--use-field-description",
                "--use-standard-collections",
                "--enum-field-as-literal",
                "all",
                "--disable-timestamp",
                "--field-constraints",
                "--collapse-root-models",
                "--base-class",
                "cairn.types._base.Model",
                "--formatters",
                "ruff-format",
            ],
            check=True,
            # The formatter (ruff) is found next to this interpreter, in the venv.
            env={
                **os.environ,
                "PATH": os.pathsep.join(
                    [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
                ),
            },
        )
        return HEADER + out.read_text()


def main() -> int:
    text = generate()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(
                f"{TARGET.relative_to(PACKAGE)} is out of date with spec/openapi.yaml: "
                "run `pnpm --filter @cairn/python generate`",
                file=sys.stderr,
            )
            return 1
        print("generated models match spec/openapi.yaml")
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(PACKAGE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
