"""Allow ``python -m pod_detect``."""

from pod_detect.cli import main

if __name__ == "__main__":
    main()
