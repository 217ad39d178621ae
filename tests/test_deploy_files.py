"""The deploy files (Dockerfile, compose.yaml, deploy/) agree with the code and the
README: docker is not run here, so this is what keeps them from drifting."""
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from desk import settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {name for name, _default, _doc in settings.documented()}
DEFAULTS = {name: default for name, default, _doc in settings.documented()}
# Environment names that are not settings of the service, each for a reason.
NOT_SETTINGS = {
    "PYTHONUNBUFFERED",  # Python: log lines leave the process at once
    "PROMETHEUS_MULTIPROC_DIR",  # prometheus_client's folder shared by gunicorn's workers
    "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD",  # the postgres image's first start
}
SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = sorted(SYSTEMD.glob("*.service"))
WORKER_ENTRY = ["python", "-m", "workers"]


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(line for line in (ROOT / "Dockerfile").read_text().splitlines()
                                         if not line.lstrip().startswith("#")))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in text.splitlines() if line.strip()]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def unit(path: Path) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def readme_production_command() -> list[str]:
    found = re.search(r"\*\*Web\*\*: `(gunicorn [^`]+)`", (ROOT / "README.md").read_text())
    assert found, "README's Production topology names the web command"
    return shlex.split(found.group(1))


def seconds(value: str) -> int:
    """A systemd or compose duration: 150, 150s, 2m30s, 3min."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    parts = re.findall(r"(\d+)(h|min|m|s)", value)
    assert parts and "".join(n + u for n, u in parts) == value.replace(" ", ""), f"cannot read {value!r}"
    return sum(int(n) * {"h": 3600, "min": 60, "m": 60, "s": 1}[u] for n, u in parts)


def bind_port(command: list[str]) -> str:
    return command[command.index("--bind") + 1].rsplit(":", 1)[1]


# --- environment names -------------------------------------------------------------

def dockerfile_env_names() -> set[str]:
    names = set()
    for instruction, args in dockerfile():
        if instruction == "ENV":
            names |= {pair.split("=", 1)[0] for pair in shlex.split(args)}
    return names


def compose_env_names() -> set[str]:
    names = set()
    for service in compose()["services"].values():
        environment = service.get("environment") or {}
        names |= set(environment) if isinstance(environment, dict) else {e.split("=", 1)[0] for e in environment}
    interpolated = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", (ROOT / "compose.yaml").read_text()))
    return names | interpolated


def systemd_env_names() -> set[str]:
    names = set()
    for path in UNITS:
        for value in unit(path).get("Environment", []):
            names |= {pair.split("=", 1)[0] for pair in shlex.split(value)}
    return names | set(env_example())


def env_example() -> dict[str, str]:
    return dict(line.split("=", 1) for line in (SYSTEMD / "desk.env.example").read_text().splitlines()
                if line.strip() and not line.startswith("#"))


@pytest.mark.parametrize("where, names", [("Dockerfile", dockerfile_env_names),
                                          ("compose.yaml", compose_env_names),
                                          ("deploy/systemd", systemd_env_names)])
def test_every_environment_name_is_a_setting(where, names):
    found = names()
    assert found, f"{where} sets no environment"
    unknown = found - SETTINGS - NOT_SETTINGS
    assert not unknown, f"{where} sets {sorted(unknown)}: not settings (desk/settings.py), so nothing reads them"


def test_the_allow_list_names_no_setting():
    assert not NOT_SETTINGS & SETTINGS


def test_the_production_settings_are_all_given():
    required = {name for name, field in settings.Settings.model_fields.items()
                if (field.json_schema_extra or {}).get("production")}
    service_env = set(compose()["services"]["web"]["environment"])
    assert required <= service_env, f"compose.yaml lacks {sorted(required - service_env)}"
    assert required <= set(env_example()), f"desk.env.example lacks {sorted(required - set(env_example()))}"
    assert compose()["services"]["web"]["environment"]["DESK_ENV"] == env_example()["DESK_ENV"] == "production"


# --- the image ---------------------------------------------------------------------

def test_the_image_is_python_3_11_slim_and_runs_as_a_user_of_its_own():
    instructions = dockerfile()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    users = [args for instruction, args in instructions if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [i for i, _ in instructions].index("USER") > max(
        n for n, (i, _) in enumerate(instructions) if i == "RUN")


def test_the_image_installs_the_lock_with_hashes_then_the_project_alone():
    runs = [args for instruction, args in dockerfile() if instruction == "RUN"]
    locked = [args for args in runs if "--require-hashes" in args]
    assert locked, "the dependencies are installed with --require-hashes"
    lock = shlex.split(locked[0])[shlex.split(locked[0]).index("-r") + 1]
    assert lock == "requirements/base.lock" and (ROOT / lock).is_file()
    assert any(instruction == "COPY" and args.split()[0] == lock for instruction, args in dockerfile())
    project = [args for args in runs if "--no-deps" in args]
    assert project and runs.index(project[0]) > runs.index(locked[0])


def test_the_image_serves_the_readme_production_command_on_its_exposed_port():
    instructions = dict(dockerfile())
    command = json.loads(instructions["CMD"])
    readme = readme_production_command()
    bind = command.index("--bind")
    # the same command, except that a container binds its own interfaces, not loopback
    assert command[:bind + 1] + command[bind + 2:] == readme[:bind + 1] + readme[bind + 2:]
    assert command[bind + 1] == "0.0.0.0:" + bind_port(readme)
    assert instructions["EXPOSE"] == bind_port(readme)
    assert "gunicorn_conf.py" in command and (ROOT / "gunicorn_conf.py").is_file()


def test_the_image_leaves_out_local_data_and_secrets():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "instance", "tests", ".env"} <= ignored
    # what the image needs is not left out
    assert not {"requirements", "models", "commands", "emulator", "gunicorn_conf.py", "wsgi.py"} & ignored


# --- compose -----------------------------------------------------------------------

def test_compose_runs_postgresql_redis_with_aof_migrate_web_and_worker():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker"}
    assert services["postgres"]["image"].startswith("postgres:")
    redis = services["redis"]["command"]
    assert redis[redis.index("--appendonly") + 1] == "yes"
    assert services["migrate"]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["worker"]["command"] == WORKER_ENTRY
    assert "command" not in services["web"], "the web service runs the image's command"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    images = {services[name].get("image") for name in ("migrate", "web", "worker")}
    assert len(images) == 1 and "build" in services["migrate"], "one image for every role"


def test_compose_publishes_the_exposed_port_to_the_host_loopback_only():
    ports = compose()["services"]["web"]["ports"]
    assert ports == [f"127.0.0.1:{bind_port(readme_production_command())}:{dict(dockerfile())['EXPOSE']}"]


def test_compose_database_url_names_the_postgres_service_database():
    env = compose()["services"]["web"]["environment"]
    postgres = compose()["services"]["postgres"]["environment"]
    assert env["DATABASE_URL"].startswith(f"postgresql+psycopg://{postgres['POSTGRES_USER']}:")
    assert env["DATABASE_URL"].endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")
    assert env["REDIS_URL"].startswith("redis://redis:6379/")


# --- stopping ----------------------------------------------------------------------

def test_stops_wait_longer_than_the_send_job_timeout():
    services = compose()["services"]
    for name in ("web", "worker"):
        assert seconds(services[name]["stop_grace_period"]) > settings.SEND_JOB_TIMEOUT_SECONDS, name
        assert services[name].get("init") is True, f"{name}: a TERM reaches the service, not a shell"
    assert {path.name for path in UNITS} == {"desk-web.service", "desk-worker@.service"}
    for path in UNITS:
        keys = unit(path)
        assert seconds(keys["TimeoutStopSec"][0]) > settings.SEND_JOB_TIMEOUT_SECONDS, path.name
        assert keys["KillMode"] == ["mixed"], f"{path.name}: TERM to the main process, which stops its children"


def test_the_stop_timeouts_the_tests_read():
    assert seconds("150s") == seconds("150") == seconds("2m30s") == 150
    assert seconds("3min") == 180


# --- systemd -----------------------------------------------------------------------

def test_the_units_run_the_readme_commands_with_the_settings_file():
    web, worker = unit(SYSTEMD / "desk-web.service"), unit(SYSTEMD / "desk-worker@.service")
    for keys in (web, worker):
        assert keys["EnvironmentFile"] == ["/etc/desk/desk.env"]
        assert keys["User"] != ["root"]
    web_command = shlex.split(web["ExecStart"][0])
    assert Path(web_command[0]).name == "gunicorn" and web_command[1:] == readme_production_command()[1:]
    worker_command = shlex.split(worker["ExecStart"][0])
    assert Path(worker_command[0]).name == "python" and worker_command[1:3] == WORKER_ENTRY[1:]


# --- nginx -------------------------------------------------------------------------

def nginx() -> str:
    return "\n".join(line.split("#", 1)[0] for line in (ROOT / "deploy" / "nginx" / "desk.conf").read_text()
                     .splitlines())


def nginx_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", value).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[unit.lower()]


def test_nginx_refuses_what_the_app_would_refuse():
    sizes = re.findall(r"client_max_body_size\s+(\S+);", nginx())
    assert [nginx_bytes(size) for size in sizes] == [DEFAULTS["MAX_REQUEST_BYTES"]]
    assert "MAX_REQUEST_BYTES" not in env_example()
    assert "MAX_REQUEST_BYTES" not in compose()["services"]["web"]["environment"]


def test_nginx_is_the_one_proxy_the_app_trusts():
    headers = dict(re.findall(r"proxy_set_header\s+(\S+)\s+(\S+);", nginx()))
    # what ProxyFix reads (wsgi.py: x_for, x_proto, x_host = PROXY_HOPS), each set by this one hop
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Forwarded-Host"] == "$host"
    assert env_example()["PROXY_HOPS"] == compose()["services"]["web"]["environment"]["PROXY_HOPS"] == "1"
    upstream = re.search(r"upstream\s+\S+\s*\{[^}]*server\s+(\S+);", nginx()).group(1)
    assert upstream == readme_production_command()[readme_production_command().index("--bind") + 1]


def test_nginx_serves_tls_only():
    config = nginx()
    assert re.search(r"listen\s+443\s+ssl", config)
    assert re.search(r"listen\s+80;\s*\n\s*listen\s+\[::\]:80;\s*\n\s*server_name\s+\S+;\s*\n\s*return\s+301\s+https://",
                     config)
    assert "ssl_certificate " in config and "ssl_certificate_key " in config
    assert re.search(r"ssl_protocols\s+TLSv1\.2\s+TLSv1\.3;", config)


# --- the README --------------------------------------------------------------------

def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.S | re.M)
    assert found, f"README has no section {title!r}"
    return found.group(1)


def test_the_readme_lists_every_db_command():
    from commands.operations import db_cli

    text = (ROOT / "README.md").read_text()
    for name in db_cli.commands:
        assert re.search(rf"`flask --app wsgi db [^`]*\b{name}\b", text), f"README's commands lack `db {name}`"


def test_the_operations_section_covers_backups_secrets_upgrades_stops_and_sizing():
    operations = readme_section("Operations")
    for heading in ("What to back up", "Backups expire in line with retention", "Restore drill",
                    "Rotating secrets", "Upgrades", "Stopping: longer than a send", "Sizing"):
        assert f"### {heading}\n" in operations
    for name in ("RETENTION_DAYS", "CASE_RETENTION_DAYS", "AUDIT_RETENTION_DAYS", "SECRET_KEY", "LOG_HASH_KEY",
                 "TWILIO_AUTH_TOKEN", "SEND_JOB_TIMEOUT_SECONDS"):
        assert f"`{name}`" in operations, name
        assert name in SETTINGS or hasattr(settings, name), name


def test_the_operations_section_states_the_stop_timeouts_the_files_set():
    operations = readme_section("Operations")
    assert f"`SEND_JOB_TIMEOUT_SECONDS` ({settings.SEND_JOB_TIMEOUT_SECONDS} s)" in operations
    worker = unit(SYSTEMD / "desk-worker@.service")
    assert f"`TimeoutStopSec={worker['TimeoutStopSec'][0]}`" in operations
    assert f"`stop_grace_period: {compose()['services']['worker']['stop_grace_period']}`" in operations
