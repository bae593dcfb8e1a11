"""Which of Lightning Apps' tests run, and why a test that fails is not counted as a failure.

NOT_RUN: tests of internals that are not run at all, because they would only wait for the time limit.

BROKEN: public-API tests that cannot pass on Lightning Apps either (their own bug), counted apart.

NOT_PUBLIC: tests that need Lightning Apps' internals in a way the conftest cannot see by itself (private
attributes of components such as `flow._works`, `work._calls`). Tests that import a private name, a module
lightwork does not have, or patch `lightning.app...` are found by the conftest and need no entry here.

DELIBERATE: public-API tests where lightwork deliberately behaves differently, each with the reason (the same
differences are listed in lightwork's docs/compat.md). Keys are node ids relative to tests_app, with or without
the parameters in brackets.
"""

FILES = [
    "core/test_lightning_flow.py",
    "core/test_lightning_work.py",
    "structures/test_structures.py",
    "storage/test_drive.py",
    "storage/test_payload.py",
    "storage/test_mount.py",
    "utilities/packaging/test_cloud_compute.py",
    "utilities/packaging/test_build_spec.py",
    "utilities/test_app_helpers.py",
    "utilities/test_network.py",
    "runners/test_multiprocess.py",
    "components/python/test_python.py",
    "components/serve/test_python_server.py",
    "core/test_lightning_app.py",
    "storage/test_path.py",
    "utilities/test_state.py",
    "core/test_lightning_api.py",
    "components/serve/test_auto_scaler.py",
    "frontend/test_stream_lit.py",
    "frontend/test_utils.py",
    "frontend/test_web.py",
    "frontend/just_py/test_just_py.py",
    "frontend/panel/test_app_state_comm.py",
    "frontend/panel/test_app_state_watcher.py",
    "frontend/panel/test_panel_frontend.py",
    "frontend/panel/test_panel_serve_render_fn.py",
]

LIGHTNING_SERVER = ("drives Lightning Apps' own server object (core.api.fastapi_service) in-process with httpx; "
                    "lightwork's server is its own (docs/server.md). Over HTTP it answers /api, /api/v1 and other "
                    "unknown /api paths 404 as Lightning Apps did, redirects / to its UI at /view and answers other "
                    "paths 404 (Lightning Apps' React UI answered them with its page); /healthz is 200 while the app runs")

NOT_PUBLIC: dict[str, str] = {
    "core/test_lightning_flow.py::test_populate_changes_status_removed":
        "LightningApp.populate_changes: the app loop's change bookkeeping (not in Lightning Apps' docs)",
    "core/test_lightning_work.py::test_lightning_work_delete":
        "sets work._backend to a mock backend (its first check, delete() outside an app raises, passes)",
    "storage/test_payload.py::test_payload_in_run":
        "checks the transfer machinery (payload._origin, _handle_get_request with storage.requests._GetRequest); "
        "its first line reads payload.name, the attribute's name, which lightwork's Payload does not keep",
    "utilities/packaging/test_build_spec.py::test_build_config_requirements_warns":
        "monkeypatches BuildConfig._find_requirements",
    "utilities/packaging/test_build_spec.py::test_build_config_dockerfile_warns":
        "monkeypatches BuildConfig._find_dockerfile",
    "utilities/test_app_helpers.py::test_is_static_method":
        "app_helpers.is_static_method: a helper of Lightning Apps' own code (not in its docs)",
    "utilities/test_app_helpers.py::test_simple_app_store":
        "app_helpers.InMemoryStateStore: the store of Lightning Apps' own server",
    "utilities/test_network.py::test_find_free_network_port":
        "patches lightning.app.utilities.network.socket inside the test (its first check passes)",
    "utilities/test_network.py::test_http_client_retry_get": "network.HTTPClient: the client of Lightning's cloud API",
    "utilities/test_network.py::test_http_client_retry_post": "network.HTTPClient: the client of Lightning's cloud API",
    "core/test_lightning_app.py::test_state_size_constant_growth":
        "its work reads work._calls inside run() (the work fails there, in its own process); without that line the "
        "test passes: 4304 and 24504 bytes, under its 8380 and 26999",
    "storage/test_path.py::test_path_as_argument_to_run_method":
        "its work reads path._request_queue and self._request_queue (the queues of Lightning Apps' storage "
        "orchestrator) and fails there, in its own process; without those two lines the test passes",
    "utilities/test_state.py::test_app_state_state_access":
        "sets AppState._state/_last_state (AppState's private store) to give it a state; lightwork's public way, "
        "AppState(state=tree), passes the rest of the test",
    "utilities/test_state.py::test_app_state_with_structures":
        "sets AppState._state/_last_state (AppState's private store) to give it a state; lightwork's public way, "
        "AppState(state=tree), passes the rest of the test",
    "components/serve/test_auto_scaler.py::test_create_work_cloud_compute_cloned":
        "checks AutoScaler._work_kwargs (private), which Lightning Apps overwrote with each clone; lightwork gives "
        "each work it creates a clone of the CloudCompute and leaves the given arguments alone",
    "components/serve/test_auto_scaler.py::test_autoscaler_scale_up":
        "sets AutoScaler._last_autoscale (private) to a wall-clock time; lightwork measures the scaling intervals on "
        "the monotonic clock, so the time set means 'in the future' and nothing scales",
    "components/serve/test_auto_scaler.py::test_autoscaler_scale_down":
        "sets AutoScaler._last_autoscale (private) to a wall-clock time; lightwork measures the scaling intervals on "
        "the monotonic clock, so the time set means 'in the future' and nothing scales",
    "components/serve/test_auto_scaler.py::TestLoadBalancerProcessRequest::test_workers_not_ready_with_cold_start_proxy":
        "the private _LoadBalancer's process_request with a ColdStartProxy (not available in lightwork: requests "
        "wait for a replica)",
    "components/serve/test_auto_scaler.py::TestLoadBalancerProcessRequest::test_workers_have_no_capacity_with_cold_start_proxy":
        "the private _LoadBalancer's process_request with a ColdStartProxy (not available in lightwork: requests "
        "wait for a replica)",
    "components/serve/test_auto_scaler.py::TestLoadBalancerProcessRequest::test_workers_not_ready_without_cold_start_proxy":
        "builds the AutoScaler's private _LoadBalancer with Lightning Apps' arguments and calls its process_request",
    "components/serve/test_auto_scaler.py::TestLoadBalancerProcessRequest::test_workers_are_free":
        "builds the AutoScaler's private _LoadBalancer with Lightning Apps' arguments and calls its process_request",
    "frontend/test_stream_lit.py::test_streamlit_wrapper_calls_render_fn":
        "runs the Streamlit wrapper module as __main__ with the environment variables Lightning Apps' "
        "StreamlitFrontend passed it (LIGHTNING_RENDER_FUNCTION, ...): the frontend's internal protocol",
    "frontend/panel/test_panel_frontend.py::test_panel_wrapper_calls_entry_point":
        "runs the Panel wrapper module as __main__ with the environment variables Lightning Apps' PanelFrontend "
        "passed it (LIGHTNING_RENDER_FUNCTION, ...): the frontend's internal protocol",
    "frontend/just_py/test_just_py.py::test_justpy_frontend":
        "monkeypatches just_py.Popen and runs the private just_py_base._main with the environment variables "
        "Lightning Apps' JustPyFrontend passed it: the frontend's internal protocol",
    "frontend/test_utils.py::test_get_flow_state":
        "the private frontend.utils._get_flow_state, with the fixtures of Lightning Apps' frontend conftest "
        "(which patch AppState._request_state)",
    "core/test_lightning_api.py::test_state_api_routes": LIGHTNING_SERVER,
    "core/test_lightning_api.py::test_frontend_routes": LIGHTNING_SERVER,
    "core/test_lightning_api.py::test_health_endpoint_failure": LIGHTNING_SERVER,
    "core/test_lightning_flow.py::test_lightning_flow_counter":
        "needs checkpoints (LightningApp._dump_checkpoint and the .storage/checkpoints folder): the durable-apps issue",
}

# Not public API and not even run: such a test would only wait for the harness's time limit (it ends the app
# through an internal it overrides), so it is reported as not public API without running it.
NOT_RUN: dict[str, str] = {
    "core/test_lightning_app.py::test_app_restarting_move_to_blocking":
        "ends the app only through its override of LightningApp._apply_restarting (AppStage.RESTARTING: the app "
        "going back to its first state belongs to the durable-apps issue); under lightwork it would run until the "
        "time limit",
    "core/test_lightning_api.py::test_start_server_started":
        "starts Lightning Apps' own server function (core.api.start_server) in a process and waits on its queue",
    "core/test_lightning_app.py::test_snap_shotting":
        "needs checkpoints (app.checkpointing, .storage/checkpoints) and ends the app through its override of "
        "LightningApp._dump_checkpoint: the durable-apps issue",
}

# Public-API tests that cannot pass on Lightning Apps either, because of their own code (with the reason, and
# what lightwork does once that is set right). Counted apart, not as failures.
BROKEN: dict[str, str] = {
    "core/test_lightning_api.py::test_configure_api":
        "reads its upload file after the `with` block closed it (ValueError: read of closed file; Lightning Apps "
        "marked it xfail). With the upload moved into the block the test passes, except the upload's answer: "
        "lightwork answers where the file went ({'drive': 'lit://uploaded_files', 'path': 'test'}), Lightning "
        "Apps a sentence",
}

WHOLE_STATE = ("compares whole state dictionaries, with Lightning Apps' private keys (_layout, _paths, _future_url, "
               "_restarting, _public_ip, _cloud_compute) and call hashes: lightwork's state has the same layout and "
               "public values, and its own private keys")
ADD_CHILD = ("adds a flow or work to a flow from outside the flow's run(): lightwork lets a flow gain components at "
             "any time (it does not inspect the call stack); Lightning Apps allowed it only in __init__ and run()")
BUILD = ("BuildConfig keeps requirements and dockerfile as given: lightwork builds nothing (works run in its own "
         "Python), so it does not read requirements files or Dockerfiles to build a cloud image")

SHARED = ("_shared_storage_path() is the storage's `shared` folder (LIGHTWORK_STORAGE, so it reaches works on other "
          "machines; LIGHTNING_STORAGE_PATH still wins); Lightning Apps used .shared in the working folder, "
          "SHARED_MOUNT_DIRECTORY, or its cloud's bucket (LIGHTNING_BUCKET_NAME, LIGHTNING_CLOUD_APP_ID)")
UNPLACED_NAME = ("asserts origin_name == '' for a Path of a work not yet in a flow: lightwork names such a work 'root' "
                 "(the root of its own tree), Lightning Apps named it ''; once placed the names are the same, and "
                 "without those asserts the test passes")

DELIBERATE: dict[str, str] = {
    "core/test_lightning_app.py::test_pickleable_return_from_work":
        "a value returned by run() is said once on stderr and the call succeeds (so this app, whose flow never "
        "stops, runs until the time limit): Lightning Apps 2.x failed the work, which broke its own pickle_or_not "
        "example app (its run() returns a bool)",
    "core/test_lightning_flow.py::test_empty_component": WHOLE_STATE,
    "core/test_lightning_app.py::test_simple_app": WHOLE_STATE + " (the app itself then runs as the test expects)",
    "core/test_lightning_flow.py::test_lightning_flow_and_work": WHOLE_STATE,
    "structures/test_structures.py::test_dict": WHOLE_STATE,
    "structures/test_structures.py::test_list": WHOLE_STATE,
    "core/test_lightning_flow.py::test_unsupported_attribute_declaration_outside_init_or_run[f-value1]": ADD_CHILD,
    "core/test_lightning_flow.py::test_unsupported_attribute_declaration_outside_init_or_run[w-value2]": ADD_CHILD,
    "core/test_lightning_work.py::test_unsupported_attribute_declaration_outside_init[f-value1]": ADD_CHILD,
    "core/test_lightning_work.py::test_unsupported_attribute_declaration_outside_init[w-value2]": ADD_CHILD,
    "core/test_lightning_work.py::test_fixing_flows_and_works":
        "replaces a child flow or work with another: lightwork allows it (the replaced works are stopped, as when "
        "a List or Dict item is replaced); Lightning Apps raised AttributeError. Replacing one by a value is still "
        "refused with AttributeError (the [None] case passes)",
    "core/test_lightning_work.py::test_lightning_app_work_start":
        "work.start() after work.stop() starts the work again (as a call does); Lightning Apps raised "
        "'A work can be started only once for now'",
    "storage/test_drive.py::test_lit_drive":
        "a Drive is one folder per name shared by every component; Lightning Apps kept a folder per component "
        "(component_name, allow_duplicates, get/list(component_name=)); its own test calls this 'likely dead feature'",
    "storage/test_drive.py::test_lit_drive_transferring_files":
        "calls drive.list('.', component_name=...): per-component drive folders (see test_lit_drive)",
    "storage/test_payload.py::test_payload_in_init":
        "a Payload set in __init__ works (it is sent with the work); Lightning Apps raised AttributeError",
    "structures/test_structures.py::test_flow_without_structures":
        "a plain dict mixing components with a List/Dict is refused with TypeError naming the attribute: "
        "Lightning Apps accepted it but left the inner List/Dict out of the app's state",
    "utilities/packaging/test_cloud_compute.py::test_interruptible":
        "CloudCompute(interruptible=True) is accepted on any machine and recorded (Lightning Apps refused it unless "
        "its cloud's feature flag LIGHTNING_INTERRUPTIBLE_WORKS was set, and for CPUs)",
    "utilities/packaging/test_build_spec.py::test_build_config_requirements_provided": BUILD,
    "utilities/packaging/test_build_spec.py::test_build_config_invalid_requirements": BUILD,
    "utilities/packaging/test_build_spec.py::test_build_config_dockerfile_provided": BUILD,
    "storage/test_payload.py::test_payload_works":
        "a Payload is kept in the app's payload store (a file in /dev/shm, or Ray's object store), not as a file "
        "named after the attribute in the work's folder: the test's os.remove('value_all') finds no such file "
        "(the app itself passes: every receiver got its value)",
    "core/test_lightning_app.py::test_lightning_app_requires_root_run_method":
        "a root flow that does not override run() is accepted: an app may only serve a UI (configure_layout) or "
        "routes (configure_api); Lightning Apps raised TypeError and required an empty run()",
    "core/test_lightning_app.py::test_non_updated_flow":
        "a log text: Lightning Apps logged two lines of its own while the app stopped ('Your Lightning App is being "
        "stopped...'), which the test compares word for word; lightwork logs none. The behaviour matches: the flow "
        "ran once, the test app's hooks three times",
    "storage/test_path.py::TestSharedStoragePath::test_shared_storage_path_bucket_and_app_id_set": SHARED,
    "storage/test_path.py::TestSharedStoragePath::test_shared_storage_path_mount_directory_set": SHARED,
    "storage/test_path.py::TestSharedStoragePath::test_shared_storage_path_no_envvars_set": SHARED,
    "storage/test_path.py::test_filesystem":
        "_filesystem() is the filesystem of the app's storage (LIGHTWORK_STORAGE, an S3 URL for S3); Lightning Apps' "
        "cloud bucket variables (LIGHTNING_BUCKET_ENDPOINT_URL, LIGHTNING_BUCKET_NAME) are not read",
    "storage/test_path.py::test_path_instantiation_lit":
        "Path('lit://a/b') is a/b in the app's folder, where every work of the process runtime runs and writes "
        "(docs/storage.md); Lightning Apps put lit:// paths under ./.storage",
    "storage/test_path.py::test_multiprocess_path_in_work_and_flow": UNPLACED_NAME,
    "storage/test_path.py::test_multiprocess_path_in_work_and_flow_dynamic": UNPLACED_NAME,
    "utilities/test_state.py::test_app_state_repr":
        "repr(AppState) says where it points and, once read, the component's public values and children "
        "('AppState(http://127.0.0.1:7501, not read yet)'); Lightning Apps' repr was the raw state dict ('None' before "
        "it was read). The rest of the test gives the state through the private AppState._store_state",
    "frontend/test_stream_lit.py::test_stop_server_not_running":
        "StreamlitFrontend(render_fn=Mock()): a render_fn must be a function defined at the top level of a file "
        "(the Streamlit process imports it by name), so a Mock, lambda or method is refused when the frontend is "
        "made, not when its process fails to find it; Lightning Apps refused only methods. stop_server() before "
        "start_server() raises RuntimeError as it did (frontend/test_web.py's same test passes)",
    "core/test_lightning_api.py::test_app_state_api":
        "asserts state.drive.component_name == 'root.work_a' in the work: a Drive is one folder per name shared by "
        "every component (see storage/test_drive.py::test_lit_drive); without that line the test passes",
    "components/python/test_python.py::test_popen_python_script_failure":
        "an error text: the failed status says 'RuntimeError: ...c.py exited with code 1'; Lightning Apps' "
        "message held a line of its own code ('Exception(self.exit_code)'); has_failed matches",
}
