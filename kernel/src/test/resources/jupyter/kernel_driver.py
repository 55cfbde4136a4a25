"""Drives a real Jupyter kernel through jupyter_client for the Java tests.

Reads one JSON request per line on stdin and answers each with one JSON line on stdout:
  {"op": "start", "kernel": "llmgraph"}        start a kernel; answers its startup time
  {"op": "execute", "code": "...",             run a cell; answers its outputs, reply and timing;
   "interrupt_on_output": "text",                send interrupt_request once stdout contains text,
   "interrupt_after": 1.5, "timeout": 60}       or after so many seconds
  {"op": "complete", "code": "...", "cursor": 3}
  {"op": "inspect", "code": "...", "cursor": 3}
  {"op": "restart"}                            restart the kernel (a new process); answers both pids
  {"op": "shutdown"}
The Jupyter paths come from the environment (JUPYTER_PATH names the folder holding kernels/llmgraph).
"""
import json
import queue
import sys
import time

from jupyter_client.manager import start_new_kernel

km = None
kc = None


def answer(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def start(request):
    global km, kc
    began = time.monotonic()
    km, kc = start_new_kernel(kernel_name=request.get("kernel", "llmgraph"),
                              startup_timeout=request.get("timeout", 60))
    return {"started_s": time.monotonic() - began, "interrupt_mode": km.kernel_spec.interrupt_mode,
            "pid": km.provisioner.pid}


def restart(request):
    old = km.provisioner.pid
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=request.get("timeout", 60))
    return {"old_pid": old, "pid": km.provisioner.pid}


def execute(request):
    began = time.monotonic()
    deadline = began + request.get("timeout", 60)
    msg_id = kc.execute(request["code"])
    outputs, stdout, stderr = [], "", ""
    interrupted_at = None
    idle = False
    while not idle:
        if time.monotonic() > deadline:
            return {"timed_out": True, "stdout": stdout, "stderr": stderr, "outputs": outputs}
        want = request.get("interrupt_on_output")
        after = request.get("interrupt_after")
        if interrupted_at is None and ((want is not None and want in stdout)
                                       or (after is not None and time.monotonic() - began >= after)):
            km.interrupt_kernel()
            interrupted_at = time.monotonic() - began
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "status":
            idle = content["execution_state"] == "idle"
        elif kind == "stream":
            if content["name"] == "stdout":
                stdout += content["text"]
            else:
                stderr += content["text"]
        elif kind in ("display_data", "update_display_data", "execute_result", "error"):
            outputs.append({"type": kind, **content})
    reply = kc.get_shell_msg(timeout=10)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=10)
    return {"status": reply["content"]["status"], "reply": reply["content"], "stdout": stdout,
            "stderr": stderr, "outputs": outputs, "elapsed_s": time.monotonic() - began,
            "interrupted_at_s": interrupted_at}


def complete(request):
    reply = kc.complete(request["code"], request["cursor"], reply=True, timeout=30)
    return reply["content"]


def inspect(request):
    reply = kc.inspect(request["code"], request["cursor"], reply=True, timeout=30)
    return reply["content"]


def shutdown(_request):
    global km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    km, kc = None, None
    return {"shut_down": True}


OPS = {"start": start, "restart": restart, "execute": execute, "complete": complete, "inspect": inspect, "shutdown": shutdown}

for line in sys.stdin:
    if not line.strip():
        continue
    request = json.loads(line)
    try:
        answer({"ok": True, **OPS[request["op"]](request)})
    except Exception as e:  # the Java side reports it with the request
        answer({"ok": False, "error": type(e).__name__ + ": " + str(e)})
if km is not None:
    shutdown({})
