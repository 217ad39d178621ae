"""The outbox benchmark's baseline job: RQ's own cost per job and nothing else."""


def noop() -> None:
    return None
