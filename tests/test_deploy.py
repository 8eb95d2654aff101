"""deploy/z2jh/values.yaml, the zero-to-jupyterhub values for a class (deploy/README.md). No cluster runs here, so
the values are checked offline: against the chart's values schema, vendored from the chart version the README
pins (helm checks the same before it renders anything), and against what the image, the course and the README
say."""

import copy
import re
from types import SimpleNamespace

import jsonschema
import pytest
import yaml
from jupyter_core.paths import SYSTEM_CONFIG_PATH
from traitlets.config import Config

from autograder.core.course_dir import COURSE_ID, REPO_ROOT, nbgrader_config

VALUES = REPO_ROOT / "deploy" / "z2jh" / "values.yaml"
SCHEMA = REPO_ROOT / "deploy" / "z2jh" / "values.schema.yaml"
README = REPO_ROOT / "deploy" / "README.md"
DOCKER_README = REPO_ROOT / "docker" / "README.md"
EXCHANGE = "/srv/nbgrader/exchange"  # nbgrader's own default Exchange.root, shared by every pod
INSTRUCTORS, STUDENTS = f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"  # nbgrader's group names on a hub
# the chart's scheduling.userPods.tolerations (its values.yaml): a profile's list of tolerations replaces them
CHART_USER_TOLERATIONS = [
    {"key": key, "operator": "Equal", "value": "user", "effect": "NoSchedule"}
    for key in ("hub.jupyter.org/dedicated", "hub.jupyter.org_dedicated")
]
OAUTHENTICATORS = {  # oauthenticator's entry points (the hub's login) and the config section each one reads
    "github": "GitHubOAuthenticator",
    "generic-oauth": "GenericOAuthenticator",
    "gitlab": "GitLabOAuthenticator",
    "google": "GoogleOAuthenticator",
    "azuread": "AzureAdOAuthenticator",
    "cilogon": "CILogonOAuthenticator",
}


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text())


def _without_defaulted_required(schema):
    """The schema less the `required` lists that the chart's own defaults always satisfy. Helm validates our values
    merged over the chart's values.yaml, which has every key the schema requires of an object reached from the
    root through `properties` alone. Entries of lists and maps (extraFiles, ...) keep theirs: no default fills
    them."""
    schema = copy.deepcopy(schema)

    def walk(node):
        node.pop("required", None)
        for child in node.get("properties", {}).values():
            walk(child)

    walk(schema)
    return schema


def _as_dict(items):
    """extraVolumes / extraVolumeMounts as the chart takes them: a list (keyed as the chart keys it) or a dict."""
    if isinstance(items, dict):
        return dict(items)
    return {f"{i}-{item['name']}": item for i, item in enumerate(items or [])}


def _override(base, value):
    """A kubespawner_override on one trait: a dict is merged into the chart's value, anything else replaces it."""
    return {**base, **value} if isinstance(value, dict) else _as_dict(value)


def _exchange_volume(values):
    storage = values["singleuser"]["storage"]
    [volume] = [v for v in _as_dict(storage["extraVolumes"]).values() if "persistentVolumeClaim" in v]
    return volume


def _student_nbgrader_config(values):
    """Run the nbgrader_config.py that the values put in every pod, as nbgrader would."""
    [entry] = [
        f for f in values["singleuser"]["extraFiles"].values() if f["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    ]
    config = Config()
    exec(compile(entry["stringData"], "nbgrader_config.py", "exec"), {"get_config": lambda: config})  # noqa: S102
    return config


def _profiles(values):
    return values["singleuser"]["profileList"]


def _gpu_profiles(values):
    return [
        p
        for p in _profiles(values)
        if "nvidia.com/gpu" in p.get("kubespawner_override", {}).get("extra_resource_limits", {})
    ]


def _tolerates(tolerations, key, value, effect):
    return any(
        t.get("key") == key
        and t.get("effect") in (effect, None)
        and (t.get("operator") == "Exists" or t.get("value") == value)
        for t in tolerations
    )


def test_values_pass_the_chart_schema_of_the_pinned_version(values):
    header = SCHEMA.read_text().split("# =====", 1)[0]
    vendored = re.search(r"version:\s+tag (\S+) \(commit [0-9a-f]{40}\)", header).group(1)
    assert "zero-to-jupyterhub-k8s" in header and "jupyterhub/values.schema.yaml" in header and "BSD" in header
    pinned = re.search(r"helm upgrade --install .*?--version (\S+)", README.read_text(), re.DOTALL).group(1)
    assert vendored == pinned, "deploy/README.md installs another chart version than the schema checked here"

    validator = jsonschema.Draft7Validator(_without_defaulted_required(yaml.safe_load(SCHEMA.read_text())))
    errors = sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.path)))
    assert not errors, "\n".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)
    # the schema still bites: a misspelt key and an extra file without content are refused
    misspelt = copy.deepcopy(values)
    misspelt["singleuser"]["defaultURL"] = "/lab"
    empty_file = copy.deepcopy(values)
    empty_file["singleuser"]["extraFiles"]["empty"] = {"mountPath": "/etc/empty"}
    assert not validator.is_valid(misspelt) and not validator.is_valid(empty_file)


def test_image_is_the_one_docker_readme_documents(values):
    readme = DOCKER_README.read_text()
    name, tag = re.search(r"docker build -f docker/Dockerfile\s+-t (\S+):(\S+) \.", readme).groups()
    image = values["singleuser"]["image"]
    assert image["name"].rsplit("/", 1)[-1] == name and str(image["tag"]) == tag
    uid, workdir = re.search(r"run as uid (\d+) \(user `\w+`\) in `(\S+)`", readme).groups()
    assert values["singleuser"]["uid"] == int(uid)
    # the image's entrypoint runs any command but `lab` as given: the hub's single-user server, which the image has
    assert values["singleuser"]["cmd"] == "jupyterhub-singleuser" and values["singleuser"]["defaultUrl"] == "/lab"
    lock = (REPO_ROOT / "constraints.txt").read_text()
    assert re.search(r"^jupyterhub==", lock, re.MULTILINE), "the image (make venv) has no jupyterhub-singleuser"
    # each user's volume goes beside the image's code and venv, not over them, and the server starts in it
    home = values["singleuser"]["storage"]["homeMountPath"].rstrip("/")
    assert not (workdir + "/").startswith(home + "/"), f"the home volume at {home} would hide {workdir}"
    assert values["hub"]["config"]["KubeSpawner"]["working_dir"].rstrip("/") == home


def test_exchange_volume_is_mounted_at_one_path_in_every_profile(values):
    storage = values["singleuser"]["storage"]
    exchange = _exchange_volume(values)
    volumes, mounts = _as_dict(storage["extraVolumes"]), _as_dict(storage["extraVolumeMounts"])
    assert len(_profiles(values)) >= 2
    for profile in _profiles(values):
        override = profile.get("kubespawner_override", {})
        got_volumes = _override(volumes, override["volumes"]) if "volumes" in override else volumes
        got_mounts = _override(mounts, override["volume_mounts"]) if "volume_mounts" in override else mounts
        assert exchange in got_volumes.values(), f"profile {profile['slug']} lost the exchange volume"
        paths = [m["mountPath"] for m in got_mounts.values() if m["name"] == exchange["name"]]
        assert paths == [EXCHANGE], f"profile {profile['slug']} mounts the exchange at {paths}"
    # the claim deploy/README.md has the instructor create, shared by every pod
    readme = README.read_text()
    assert f"named `{exchange['persistentVolumeClaim']['claimName']}`" in readme
    assert f"name: {exchange['persistentVolumeClaim']['claimName']}" in readme
    assert "accessModes: [ReadWriteMany]" in readme


def test_nbgrader_config_of_students_and_instructors_names_the_course_and_the_mounted_exchange(
    values, monkeypatch, tmp_path
):
    config = _student_nbgrader_config(values)
    assert config.CourseDirectory.course_id == COURSE_ID
    exchange = _exchange_volume(values)["name"]
    mounted = [
        m["mountPath"]
        for m in _as_dict(values["singleuser"]["storage"]["extraVolumeMounts"]).values()
        if m["name"] == exchange
    ]
    assert [config.Exchange.root] == mounted, "nbgrader's exchange is not where the exchange volume is mounted"
    # an instructor's course, in a pod with the values' environment, releases and collects through the same one
    monkeypatch.delenv("AUTOGRADER_EXCHANGE", raising=False)
    for name, value in values["singleuser"]["extraEnv"].items():
        monkeypatch.setenv(name, value)
    assert [nbgrader_config(tmp_path, "sqlite://").Exchange.root] == mounted
    # nbgrader reads nbgrader_config.py from Jupyter's system config directory
    assert "/etc/jupyter" in SYSTEM_CONFIG_PATH
    # what a student fetches and nbgrader's record of their submissions (needed to fetch feedback) persist
    home = values["singleuser"]["storage"]["homeMountPath"].rstrip("/")
    for path in (config.Exchange.assignment_dir, config.Exchange.cache):
        assert (path + "/").startswith(home + "/"), f"{path} is not on the user's volume"


def test_gpu_profile_requests_a_gpu_on_the_gpu_pool(values):
    [gpu] = _gpu_profiles(values)
    override = gpu["kubespawner_override"]
    assert int(override["extra_resource_limits"]["nvidia.com/gpu"]) == 1
    # on the pool deploy/README.md has the instructor label and taint, and still on the chart's user nodes
    readme = README.read_text()
    label, label_value = re.search(r"kubectl label node <node> ([\w./-]+)=(\S+?)`", readme).groups()
    assert override["node_selector"] == {label: label_value}
    key, value, effect = re.search(r"kubectl taint node <node> ([\w./-]+)=(\w+):(\w+)", readme).groups()
    assert _tolerates(override["tolerations"], key, value, effect)
    assert _tolerates(values["prePuller"]["extraTolerations"], key, value, effect), "the image is not pre-pulled"
    assert all(t in override["tolerations"] for t in CHART_USER_TOLERATIONS)
    # the other profiles ask for no GPU and the default one is among them
    others = [p for p in _profiles(values) if p is not gpu]
    assert others and any(p.get("default") for p in others)
    assert "nvidia.com/gpu" not in (values["singleuser"].get("extraResource", {}).get("limits") or {})


def _bytes(size):
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]?)", str(size)).groups()
    return float(number) * 1024 ** " KMGT".index(unit or " ")


def test_every_server_is_bounded_and_idle_ones_are_culled(values):
    singleuser = values["singleuser"]
    for profile in _profiles(values):
        override = profile.get("kubespawner_override", {})
        cpu = (
            override.get("cpu_guarantee", singleuser["cpu"]["guarantee"]),
            override.get("cpu_limit", singleuser["cpu"]["limit"]),
        )
        memory = (
            override.get("mem_guarantee", singleuser["memory"]["guarantee"]),
            override.get("mem_limit", singleuser["memory"]["limit"]),
        )
        assert 0 < cpu[0] <= cpu[1], profile["slug"]
        assert 0 < _bytes(memory[0]) <= _bytes(memory[1]), profile["slug"]
    assert values["cull"]["enabled"] and 0 < values["cull"]["timeout"] <= 4 * 3600


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def test_logins_are_real_and_no_secret_is_in_the_values(values):
    text = VALUES.read_text()
    assert "dummy" not in text.lower()
    # no password, as a YAML key or set in the hub's Python config
    assert not [key for key in _keys(values) if "password" in key.lower()]
    assert not re.search(r"password\W*[:=]", text, re.IGNORECASE)
    # no client_secret, cookie_secret, ... in the hub's config: the chart would store them from this file
    assert not [key for key in _keys(values["hub"]["config"]) if "secret" in key.lower()]
    config = values["hub"]["config"]
    section = OAUTHENTICATORS[config["JupyterHub"]["authenticator_class"]]
    assert config[section]["oauth_callback_url"].endswith("/hub/oauth_callback")
    # the OAuth client comes from the Secret deploy/README.md has the instructor create
    name, keys = re.search(
        r"create secret generic (\S+) \\\s+((?:--from-literal=\S+\s*)+)", README.read_text()
    ).groups()
    created = set(re.findall(r"--from-literal=([\w-]+)=", keys))
    env = values["hub"]["extraEnv"]
    for variable in ("OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET"):
        ref = env[variable]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == name and ref["key"] in created, variable
    # the course's two groups; each member may log in, and the instructors administer the hub
    groups = {group: spec["users"] for group, spec in config["JupyterHub"]["load_groups"].items()}
    assert set(groups) == {INSTRUCTORS, STUDENTS} and all(groups.values())
    authenticator = config["Authenticator"]
    assert set(groups[INSTRUCTORS]) | set(groups[STUDENTS]) <= set(authenticator["allowed_users"])
    assert set(groups[INSTRUCTORS]) <= set(authenticator["admin_users"])
    assert not set(groups[STUDENTS]) & set(authenticator["admin_users"])


def _pod():
    container = SimpleNamespace(
        name="notebook", security_context={"runAsUser": 1000, "allowPrivilegeEscalation": False}
    )
    return SimpleNamespace(spec=SimpleNamespace(host_users=None, containers=[container]))


@pytest.mark.parametrize("mode", ["userns", "privileged"])
def test_only_instructors_pods_can_run_the_grading_sandbox(values, mode):
    code = values["hub"]["extraConfig"]["grading-sandbox.py"]
    assert re.search(r'^GRADING_POD = "userns"$', code, re.MULTILINE)
    namespace = {"c": Config()}
    code = code.replace('GRADING_POD = "userns"', f"GRADING_POD = {mode!r}")
    exec(compile(code, "grading-sandbox.py", "exec"), namespace)  # noqa: S102 - the hub runs it so (z2jh)
    hook = namespace["c"].KubeSpawner.modify_pod_hook

    def spawn(*groups):
        return hook(SimpleNamespace(user=SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups])), _pod())

    student = spawn(STUDENTS)
    assert student.spec.host_users is None
    assert student.spec.containers[0].security_context == _pod().spec.containers[0].security_context
    pod = spawn(STUDENTS, INSTRUCTORS)
    context = pod.spec.containers[0].security_context
    assert context["runAsUser"] == 1000
    if mode == "userns":
        # an unmasked /proc is only allowed in a user-namespaced pod
        assert pod.spec.host_users is False and context["procMount"] == "Unmasked"
        assert context["seccompProfile"] == context["appArmorProfile"] == {"type": "Unconfined"}
    else:
        # Kubernetes refuses a privileged container that may not escalate
        assert context["privileged"] is True and context["allowPrivilegeEscalation"] is True
