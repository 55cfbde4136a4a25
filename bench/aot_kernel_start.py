"""Time from starting the llmgraph Jupyter kernel to a cell's result, for bench/aot-startup.sh.

usage: python3 aot_kernel_start.py JUPYTER_DATA_DIR [--timeline]
Starts the kernelspec "llmgraph" installed under JUPYTER_DATA_DIR with jupyter_client, runs notebook 01's first
code cell, then a cell that builds a tiny model and computes its logits; prints both times in seconds, counted
from the kernel's start. With --timeline it prints, in one line and in order, the kernel's own milestones
(LLMGRAPH_KERNEL_TIMES: main, jshell-ready, connected, request-N, result-N) and the client's (started: start_kernel
returned, ready: wait_for_ready returned, first, model), each in seconds from the same start.
"""
import os
import sys
import tempfile
import time

import jupyter_client

FIRST_CELL = ('System.out.println("Java " + Runtime.version() + " on " + System.getProperty("os.name"));\n'
              'System.out.println("llmgraph kernel ready");')
MODEL_CELL = ('var model = Model.random(Presets.tiny(Presets.llama2_7b()), WeightInit.gpt2(1), '
              'ModelOptions.cpu().withThreads(2));\n'
              'var logits = model.forward(1, 2, 3);\n'
              'Arrays.toString(logits.top(logits.tokens() - 1, 5))')


def run_cell(client, code):
    msg_id = client.execute(code)
    got_output = False
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg['parent_header'].get('msg_id') != msg_id:
            continue
        kind = msg['msg_type']
        if kind == 'error':
            raise RuntimeError('\n'.join(msg['content']['traceback']))
        if kind in ('stream', 'execute_result'):
            got_output = True
        if kind == 'status' and msg['content']['execution_state'] == 'idle':
            if not got_output:
                raise RuntimeError('no output from: ' + code)
            return


def main():
    os.environ['JUPYTER_PATH'] = sys.argv[1]
    timeline = '--timeline' in sys.argv[2:]
    if timeline:
        marks = tempfile.NamedTemporaryFile(prefix='llmgraph-kernel-times.', delete=False).name
        os.environ['LLMGRAPH_KERNEL_TIMES'] = marks  # the kernel inherits it
    client_marks = []
    manager = jupyter_client.KernelManager(kernel_name='llmgraph')
    started = time.perf_counter()
    started_wall = time.time()
    manager.start_kernel()
    client_marks.append(('started', time.perf_counter() - started))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        client_marks.append(('ready', time.perf_counter() - started))
        run_cell(client, FIRST_CELL)
        first = time.perf_counter() - started
        run_cell(client, MODEL_CELL)
        model = time.perf_counter() - started
        if not timeline:
            print(f'{first:.2f} {model:.2f}')
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    if timeline:
        with open(marks) as f:
            kernel_marks = [(name, int(ms) / 1000 - started_wall) for name, ms in (line.split() for line in f)]
        events = sorted(kernel_marks + client_marks + [('first', first), ('model', model)], key=lambda e: e[1])
        print(' '.join(f'{name}={at:.2f}' for name, at in events))
        os.unlink(marks)


main()
