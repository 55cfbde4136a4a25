// Writes every graph ggml's scheduler computes, tensor by tensor, to the file named by GRAPH_DUMP, when
// preloaded into a process that uses ggml (LD_PRELOAD): llama-bench as much as llmgraph's JVM. It stands in
// for ggml's own entry points and then calls them, so both engines are seen at the same place.
//
//   ## step N                                 one call of ggml_backend_sched_graph_compute_async
//   ### split on BACKEND, M nodes             one piece of that step, as the scheduler hands it to a backend
//   OP dst | src0 | src1 ... params P flags F  # name
//                                             one node: each tensor as TYPE[ne0,ne1,ne2,ne3|nb0,nb1,nb2,nb3],
//                                             then c (contiguous) or nc, and v where it is a view; P: the op's
//                                             first four int32 parameters (a mul_mat's accumulator precision, a
//                                             permutation's axes, a float's bits); F: ggml's tensor flags (1
//                                             input, 2 output, 4 parameter, 8 loss, 16 compute): an output
//                                             is never fused with the node after it
//
// Built by bin/graph-dump.sh against the headers of the native build in use.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "ggml.h"
#include "ggml-backend.h"

static int steps = 0;

static FILE * open_dump(void) {
    const char * path = getenv("GRAPH_DUMP");
    return path ? fopen(path, "a") : NULL;
}

static void write_tensor(FILE * f, const struct ggml_tensor * t) {
    fprintf(f, "%s[%lld,%lld,%lld,%lld|%zu,%zu,%zu,%zu]%s%s", ggml_type_name(t->type),
            (long long) t->ne[0], (long long) t->ne[1], (long long) t->ne[2], (long long) t->ne[3],
            t->nb[0], t->nb[1], t->nb[2], t->nb[3], ggml_is_contiguous(t) ? "c" : "nc", t->view_src ? "v" : "");
}

static void write_split(ggml_backend_t backend, struct ggml_cgraph * graph) {
    FILE * f = open_dump();
    if (f == NULL) {
        return;
    }
    int n = ggml_graph_n_nodes(graph);
    fprintf(f, "### split on %s, %d nodes\n", ggml_backend_name(backend), n);
    for (int i = 0; i < n; i++) {
        const struct ggml_tensor * node = ggml_graph_node(graph, i);
        fprintf(f, "%s ", ggml_op_desc(node));
        write_tensor(f, node);
        for (int s = 0; s < GGML_MAX_SRC && node->src[s] != NULL; s++) {
            fprintf(f, " | ");
            write_tensor(f, node->src[s]);
        }
        fprintf(f, " params %d,%d,%d,%d flags %d  # %s\n", node->op_params[0], node->op_params[1],
                node->op_params[2], node->op_params[3], node->flags, node->name);
    }
    fclose(f);
}

enum ggml_status ggml_backend_sched_graph_compute_async(ggml_backend_sched_t sched, struct ggml_cgraph * graph) {
    static enum ggml_status (*next)(ggml_backend_sched_t, struct ggml_cgraph *);
    if (next == NULL) {
        next = (enum ggml_status (*)(ggml_backend_sched_t, struct ggml_cgraph *))
                dlsym(RTLD_NEXT, "ggml_backend_sched_graph_compute_async");
    }
    FILE * f = open_dump();
    if (f != NULL) {
        fprintf(f, "## step %d\n", ++steps);
        fclose(f);
    }
    return next(sched, graph);
}

enum ggml_status ggml_backend_graph_compute_async(ggml_backend_t backend, struct ggml_cgraph * graph) {
    static enum ggml_status (*next)(ggml_backend_t, struct ggml_cgraph *);
    if (next == NULL) {
        next = (enum ggml_status (*)(ggml_backend_t, struct ggml_cgraph *))
                dlsym(RTLD_NEXT, "ggml_backend_graph_compute_async");
    }
    write_split(backend, graph);
    return next(backend, graph);
}
