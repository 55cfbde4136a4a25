"""Seconds from starting `bin/llmgraph jshell` to its first snippet's printed line, then to a tiny model's logits.

usage: python3 jshell_first_line.py c1|c2
c1 starts it as the launcher does by default (C1 alone); c2 with LLMGRAPH_JAVA_OPTS=-XX:TieredStopAtLevel=4 (the
tiered JIT, with its own start-up cache: train it first with that variable and `bin/llmgraph aot`).
"""
import os
import subprocess
import sys
import time

LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bin', 'llmgraph')


def wait_for(process, marker, started):
    for line in process.stdout:
        if marker in line:
            return time.perf_counter() - started
    raise RuntimeError('jshell ended before printing ' + marker)


def main():
    env = dict(os.environ)
    if sys.argv[1] == 'c2':
        env['LLMGRAPH_JAVA_OPTS'] = '-XX:TieredStopAtLevel=4'
    started = time.perf_counter()
    process = subprocess.Popen([LAUNCHER, 'jshell'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=env, text=True)
    process.stdin.write('System.out.println("ready " + Runtime.version());\n')
    process.stdin.flush()
    first = wait_for(process, 'ready ', started)
    process.stdin.write('var m = Model.random(Presets.tiny(Presets.llama2_7b()), WeightInit.gpt2(1), '
                        'ModelOptions.cpu().withThreads(2));\n'
                        'System.out.println("logits " + m.forward(1, 2, 3).tokens());\n')
    process.stdin.flush()
    model = wait_for(process, 'logits ', started)
    process.stdin.write('/exit\n')
    process.stdin.close()
    process.wait()
    print(f'{sys.argv[1]} first line {first:.2f} s, logits {model:.2f} s')


if __name__ == '__main__':
    main()
