/* SPDX-License-Identifier: Apache-2.0 */
/* Graphs, executable graphs, user objects and stream capture (see cpu_driver.h). A launch runs
   the nodes of the executable graph's snapshot in a topological order, at once, on the host. */
#include "cpu_driver.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct edge {
    CUgraphNode from, to;
    CUgraphEdgeData data;
};
struct uref {
    CUuserObject uo;
    unsigned count;
};
struct gmem; /* memory of an allocation node, below */

struct CUgraph_st {
    unsigned tag;
    unsigned id;
    int owned;    /* body of a child-graph or conditional node: the node destroys it, not the user */
    int internal; /* snapshot inside an executable graph: no handle to it escapes, so it is freed */
    CUgraphNode *nodes; /* in creation order: cuGraphExecUpdate pairs nodes by it */
    size_t nnodes, capn;
    struct edge *edges;
    size_t nedges, cape;
    unsigned next_local;
    struct uref *refs;
    size_t nrefs, capr;
};

struct CUgraphNode_st {
    unsigned tag;
    CUgraphNodeType type;
    CUgraph graph;
    CUgraphNode origin; /* the node this one copies (cuGraphClone, instantiation) */
    unsigned local_id;
    int disabled;       /* in an executable graph: cuGraphNodeSetEnabled */
    size_t mark;        /* scratch: the node's index while a graph is walked */
    CUgraphNodeParams p; /* what cuGraphNodeGetParams returns; a pointer in it is owned when set */
    struct gmem *mem;   /* MEM_ALLOC */
};

struct CUgraphExec_st {
    unsigned tag;
    unsigned id;
    cuuint64_t flags;
    CUgraph g; /* deep copy of the graph as instantiated */
};

struct CUuserObject_st {
    unsigned tag;
    void *ptr;
    CUhostFn destroy;
    unsigned long long refs;
};

static unsigned next_graph_id = 1;
static __thread CUstreamCaptureMode thread_mode = CU_STREAM_CAPTURE_MODE_GLOBAL;

static void grow(void **arr, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need) n *= 2;
    void *p = realloc(*arr, n * size);
    if (!p) abort();
    *arr = p;
    *cap = n;
}
static int node_ok(CUgraphNode n) { return emu_valid(n, TAG_NODE); }
static int graph_ok(CUgraph g) { return emu_valid(g, TAG_GRAPH); }
static int is_stream(CUstream s) { return (uintptr_t)s > 2 && emu_valid(s, TAG_STREAM); }

/* ---- user objects: destructors run after the lock is dropped, as they may block ---- */
static CUuserObject *dying;
static size_t ndying, capdying;

static void uo_unref(CUuserObject uo, unsigned long long count) {
    uo->refs = uo->refs > count ? uo->refs - count : 0;
    if (uo->refs) return;
    uo->tag = TAG_DEAD;
    grow((void **)&dying, &capdying, ndying + 1, sizeof *dying);
    dying[ndying++] = uo;
}
static void run_destructors(void) {
    for (;;) {
        pthread_mutex_lock(&emu_lock);
        CUuserObject uo = ndying ? dying[--ndying] : NULL;
        pthread_mutex_unlock(&emu_lock);
        if (!uo) return;
        uo->destroy(uo->ptr);
    }
}
static void graph_add_ref(CUgraph g, CUuserObject uo, unsigned count) {
    for (size_t i = 0; i < g->nrefs; i++)
        if (g->refs[i].uo == uo) { g->refs[i].count += count; return; }
    grow((void **)&g->refs, &g->capr, g->nrefs + 1, sizeof *g->refs);
    g->refs[g->nrefs++] = (struct uref){uo, count};
}

/* Every entry point: initialized, then under the lock; destructors released on the way out. */
#define LOCKED(expr) do { CUresult r_ = emu_need_init(); \
    if (!r_) { pthread_mutex_lock(&emu_lock); r_ = (expr); pthread_mutex_unlock(&emu_lock); } \
    run_destructors(); return r_; } while (0)

/* ---- conditional handles ---- */
struct cond { CUgraphConditionalHandle h; unsigned dflt, flags; };
static struct cond *conds;
static size_t nconds, capconds;

static struct cond *cond_find(CUgraphConditionalHandle h) {
    for (size_t i = 0; i < nconds; i++)
        if (conds[i].h == h) return &conds[i];
    return NULL;
}

/* ---- graph memory: an allocation node's memory is made when the node is (its address is fixed
   then, as the driver's is); a launch marks it in use, a free node marks it unused again and
   keeps it for the next launch, so that nodes using the address stay right. Memory in use when
   its last node goes is the user's to free; otherwise it goes with the node. ---- */
struct gmem {
    struct gmem *next;
    CUdeviceptr p;
    size_t size;
    enum emu_kind kind;
    unsigned long long alloc_id;
    int refs, live;
};
static struct gmem *gmems;
static cuuint64_t used_high, reserved_high;

static int gmem_present(struct gmem *m) {
    struct emu_alloc *a = m->p ? emu_find_alloc(m->p) : NULL;
    return a && a->base == m->p && a->id == m->alloc_id;
}
static CUresult gmem_map(struct gmem *m) {
    void *p = emu_device_alloc(m->size, NULL, m->kind);
    if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
    m->p = (uintptr_t)p;
    struct emu_alloc *a = emu_find_alloc(m->p);
    m->alloc_id = a ? a->id : 0;
    return CUDA_SUCCESS;
}
static void gmem_drop(struct gmem *m) {
    if (gmem_present(m)) emu_device_free(m->p, 0);
    for (struct gmem **at = &gmems; *at; at = &(*at)->next)
        if (*at == m) { *at = m->next; break; }
    free(m);
}
static void gmem_unref(struct gmem *m) {
    if (m && --m->refs == 0 && !(m->live && gmem_present(m))) gmem_drop(m);
}
static void gmem_stats(cuuint64_t *used, cuuint64_t *reserved) {
    cuuint64_t u = 0, r = 0;
    for (struct gmem *m = gmems, *next; m; m = next) {
        next = m->next;
        if (!gmem_present(m)) { if (!m->refs) gmem_drop(m); continue; } /* the user freed it */
        r += m->size;
        u += m->size; /* mapped memory counts as used until trimmed, freed or not, as driver 580 reports */
    }
    if (u > used_high) used_high = u;
    if (r > reserved_high) reserved_high = r;
    if (used) *used = u;
    if (reserved) *reserved = r;
}
static CUresult gmem_free(CUdeviceptr p) {
    for (struct gmem *m = gmems; m; m = m->next)
        if (m->p == p && gmem_present(m)) {
            m->live = 0;
            if (!m->refs) gmem_drop(m);
            return CUDA_SUCCESS;
        }
    return emu_device_free(p, 0); /* not a graph's: cuMemAllocAsync memory, say */
}

/* ---- graphs, nodes, edges ---- */
static CUgraph graph_new(int internal) {
    CUgraph g = emu_calloc(1, sizeof *g);
    g->tag = TAG_GRAPH;
    g->id = next_graph_id++;
    g->internal = internal;
    return g;
}
static CUgraphNode node_new(CUgraph g, CUgraphNodeType type) {
    CUgraphNode n = emu_calloc(1, sizeof *n);
    n->tag = TAG_NODE;
    n->type = type;
    n->graph = g;
    n->local_id = g->next_local++;
    n->p.type = type;
    grow((void **)&g->nodes, &g->capn, g->nnodes + 1, sizeof *g->nodes);
    g->nodes[g->nnodes++] = n;
    return n;
}
static long edge_find(CUgraph g, CUgraphNode from, CUgraphNode to) {
    for (size_t i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].to == to) return (long)i;
    return -1;
}
static void edge_add(CUgraph g, CUgraphNode from, CUgraphNode to, const CUgraphEdgeData *d) {
    grow((void **)&g->edges, &g->cape, g->nedges + 1, sizeof *g->edges);
    g->edges[g->nedges++] = (struct edge){from, to, d ? *d : (CUgraphEdgeData){0}};
}
static void edge_remove(CUgraph g, size_t i) {
    memmove(g->edges + i, g->edges + i + 1, (g->nedges - i - 1) * sizeof *g->edges);
    g->nedges--;
}
static void number_nodes(CUgraph g) {
    for (size_t i = 0; i < g->nnodes; i++) g->nodes[i]->mark = i;
}
/* The nodes in an order that runs each after its dependencies (Kahn's, creation order among
   ready nodes); NULL if the edges make a cycle. */
static CUgraphNode *topo_order(CUgraph g) {
    size_t n = g->nnodes, *indeg = emu_calloc(n, sizeof *indeg), *start = emu_calloc(n + 1, sizeof *start);
    size_t *succ = emu_calloc(g->nedges, sizeof *succ), *fill = emu_calloc(n, sizeof *fill), done = 0, head = 0;
    CUgraphNode *order = emu_calloc(n, sizeof *order);
    number_nodes(g);
    for (size_t i = 0; i < g->nedges; i++) { indeg[g->edges[i].to->mark]++; start[g->edges[i].from->mark + 1]++; }
    for (size_t i = 0; i < n; i++) start[i + 1] += start[i];
    for (size_t i = 0; i < g->nedges; i++) {
        size_t f = g->edges[i].from->mark;
        succ[start[f] + fill[f]++] = g->edges[i].to->mark;
    }
    for (size_t i = 0; i < n; i++)
        if (!indeg[i]) order[done++] = g->nodes[i];
    while (head < done) {
        size_t f = order[head++]->mark;
        for (size_t k = start[f]; k < start[f + 1]; k++)
            if (--indeg[succ[k]] == 0) order[done++] = g->nodes[succ[k]];
    }
    free(indeg); free(start); free(succ); free(fill);
    if (done < n) { free(order); return NULL; }
    return order;
}

static void graph_destroy(CUgraph g);
static CUgraph graph_clone(CUgraph src, int internal);

static void release_params(CUgraphNode n) {
    CUgraphNodeParams *p = &n->p;
    switch (n->type) {
    case CU_GRAPH_NODE_TYPE_KERNEL: free(p->kernel.kernelParams); free(p->kernel.extra); break;
    case CU_GRAPH_NODE_TYPE_GRAPH: if (p->graph.graph) graph_destroy(p->graph.graph); break;
    case CU_GRAPH_NODE_TYPE_BATCH_MEM_OP: free(p->memOp.paramArray); break;
    case CU_GRAPH_NODE_TYPE_MEM_ALLOC: free((void *)p->alloc.accessDescs); gmem_unref(n->mem); break;
    case CU_GRAPH_NODE_TYPE_CONDITIONAL:
        for (unsigned i = 0; p->conditional.phGraph_out && i < p->conditional.size; i++)
            graph_destroy(p->conditional.phGraph_out[i]);
        free(p->conditional.phGraph_out);
        break;
    default: break;
    }
    memset(p, 0, sizeof *p);
    p->type = n->type;
    n->mem = NULL;
}
static void node_free(CUgraphNode n) {
    release_params(n);
    if (n->graph->internal) free(n);
    else n->tag = TAG_DEAD;
}
static void graph_destroy(CUgraph g) {
    for (size_t i = 0; i < g->nnodes; i++) node_free(g->nodes[i]);
    for (size_t i = 0; i < g->nrefs; i++) uo_unref(g->refs[i].uo, g->refs[i].count);
    free(g->nodes); free(g->edges); free(g->refs);
    g->nodes = NULL; g->edges = NULL; g->refs = NULL;
    g->nnodes = g->nedges = g->nrefs = 0;
    if (g->internal) free(g);
    else g->tag = TAG_DEAD;
}

/* ---- node parameters ---- */
static CUfunction kernel_fn(const CUDA_KERNEL_NODE_PARAMS_v3 *k) {
    return emu_as_function(k->func ? (void *)k->func : (void *)k->kern);
}
/* The argument values, copied (the caller's may go once the node is made) into one block: the
   pointer array, then each value 16-byte aligned. NULL where the kernel's sizes are unknown. */
static void **dup_args(CUfunction f, void **args) {
    struct CUkern_st *k = f ? f->kernel : NULL;
    if (!args || !emu_valid(k, TAG_KERNEL) || k->nparams < 0) return NULL;
    size_t head = ((size_t)k->nparams * sizeof(void *) + 15) & ~(size_t)15, total = head;
    for (int i = 0; i < k->nparams; i++) total += (k->params[i].size + 15) & ~(size_t)15;
    void **out = emu_calloc(1, total);
    char *at = (char *)out + head;
    for (int i = 0; i < k->nparams; i++) {
        if (args[i]) memcpy(at, args[i], k->params[i].size);
        out[i] = at;
        at += (k->params[i].size + 15) & ~(size_t)15;
    }
    return out;
}
/* `extra` as a buffer and its size, copied into one block; NULL for other options. */
static void **dup_extra(void **extra) {
    void *buf = NULL;
    size_t *size = NULL;
    for (int i = 0; extra && extra[i] != CU_LAUNCH_PARAM_END && i < 64; i += 2) {
        if (extra[i] == CU_LAUNCH_PARAM_BUFFER_POINTER) buf = extra[i + 1];
        else if (extra[i] == CU_LAUNCH_PARAM_BUFFER_SIZE) size = extra[i + 1];
        else return NULL;
    }
    if (!buf || !size) return NULL;
    void **out = emu_calloc(1, 5 * sizeof(void *) + 16 + *size);
    size_t *sz = (size_t *)(out + 5);
    char *data = (char *)(out + 5) + 16;
    *sz = *size;
    memcpy(data, buf, *size);
    out[0] = CU_LAUNCH_PARAM_BUFFER_POINTER; out[1] = data;
    out[2] = CU_LAUNCH_PARAM_BUFFER_SIZE; out[3] = sz; out[4] = CU_LAUNCH_PARAM_END;
    return out;
}
static void *dup_mem(const void *p, size_t n) {
    if (!p || !n) return NULL;
    void *q = emu_calloc(1, n);
    memcpy(q, p, n);
    return q;
}
static CUgraph owned_clone(CUgraph src, int internal) {
    CUgraph g = graph_clone(src, internal);
    g->owned = 1;
    return g;
}

/* Checks `in` and makes the node's own copy in *out. For allocation and conditional nodes this
   also makes what the node owns and writes it back to `in` (dptr, phGraph_out), as the driver
   does. */
static CUresult build_params(CUgraphNodeParams *in, CUgraphNodeParams *out, struct gmem **mem) {
    CUresult r;
    *out = *in;
    switch (in->type) {
    case CU_GRAPH_NODE_TYPE_KERNEL: {
        CUDA_KERNEL_NODE_PARAMS_v3 *k = &in->kernel;
        CUfunction f = kernel_fn(k);
        if (!f) return CUDA_ERROR_INVALID_VALUE;
        r = emu_check_launch(f, k->gridDimX, k->gridDimY, k->gridDimZ, k->blockDimX, k->blockDimY,
                             k->blockDimZ, k->sharedMemBytes);
        if (r) return r;
        out->kernel.kernelParams = dup_args(f, k->kernelParams);
        out->kernel.extra = dup_extra(k->extra);
        return CUDA_SUCCESS;
    }
    case CU_GRAPH_NODE_TYPE_MEMCPY:
        return in->memcpy.flags || in->memcpy.reserved ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
    case CU_GRAPH_NODE_TYPE_MEMSET: {
        CUDA_MEMSET_NODE_PARAMS_v2 *m = &in->memset;
        if (m->elementSize != 1 && m->elementSize != 2 && m->elementSize != 4) return CUDA_ERROR_INVALID_VALUE;
        if (m->height > 1 && m->pitch < m->width * m->elementSize) return CUDA_ERROR_INVALID_VALUE;
        return emu_find_alloc(m->dst) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    }
    case CU_GRAPH_NODE_TYPE_HOST:
        return in->host.fn ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    case CU_GRAPH_NODE_TYPE_GRAPH: {
        CUgraph child = in->graph.graph;
        if (!graph_ok(child) || child->owned) return CUDA_ERROR_INVALID_VALUE;
        if (in->graph.ownership == CU_GRAPH_CHILD_GRAPH_OWNERSHIP_MOVE) child->owned = 1; /* taken */
        else if (in->graph.ownership == CU_GRAPH_CHILD_GRAPH_OWNERSHIP_CLONE) out->graph.graph = owned_clone(child, 0);
        else return CUDA_ERROR_INVALID_VALUE;
        return CUDA_SUCCESS;
    }
    case CU_GRAPH_NODE_TYPE_EMPTY:
        return CUDA_SUCCESS;
    case CU_GRAPH_NODE_TYPE_WAIT_EVENT:
    case CU_GRAPH_NODE_TYPE_EVENT_RECORD:
        /* eventWait and eventRecord both start with the event */
        return emu_valid(in->eventRecord.event, TAG_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    case CU_GRAPH_NODE_TYPE_MEM_ALLOC: {
        CUDA_MEM_ALLOC_NODE_PARAMS_v2 *a = &in->alloc;
        CUmemLocationType lt = a->poolProps.location.type;
        enum emu_kind kind = MEM_DEVICE;
        if (!a->bytesize || a->poolProps.handleTypes || a->accessDescCount > EMU_DEVICE_COUNT ||
            (a->accessDescCount && !a->accessDescs))
            return CUDA_ERROR_INVALID_VALUE;
        if (a->poolProps.allocType == CU_MEM_ALLOCATION_TYPE_MANAGED) kind = MEM_MANAGED;
        else if (a->poolProps.allocType != CU_MEM_ALLOCATION_TYPE_PINNED) return CUDA_ERROR_INVALID_VALUE;
        if (lt == CU_MEM_LOCATION_TYPE_HOST || lt == CU_MEM_LOCATION_TYPE_HOST_NUMA ||
            lt == CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT)
            kind = kind == MEM_MANAGED ? MEM_MANAGED : MEM_HOST;
        else if (lt != CU_MEM_LOCATION_TYPE_DEVICE || a->poolProps.location.id < 0 ||
                 a->poolProps.location.id >= EMU_DEVICE_COUNT)
            return CUDA_ERROR_INVALID_VALUE;
        struct gmem *m = emu_calloc(1, sizeof *m);
        m->size = a->bytesize;
        m->kind = kind;
        m->refs = 1;
        if ((r = gmem_map(m))) { free(m); return r; }
        m->next = gmems;
        gmems = m;
        *mem = m;
        a->dptr = out->alloc.dptr = m->p;
        out->alloc.accessDescs = dup_mem(a->accessDescs, a->accessDescCount * sizeof *a->accessDescs);
        return CUDA_SUCCESS;
    }
    case CU_GRAPH_NODE_TYPE_MEM_FREE: {
        struct emu_alloc *a = emu_find_alloc(in->free.dptr);
        return a && a->base == in->free.dptr ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    }
    case CU_GRAPH_NODE_TYPE_BATCH_MEM_OP:
        if (in->memOp.count && !in->memOp.paramArray) return CUDA_ERROR_INVALID_VALUE;
        out->memOp.paramArray = dup_mem(in->memOp.paramArray, in->memOp.count * sizeof *in->memOp.paramArray);
        return CUDA_SUCCESS;
    case CU_GRAPH_NODE_TYPE_CONDITIONAL: {
        CUDA_CONDITIONAL_NODE_PARAMS *c = &in->conditional;
        int size_ok = c->type == CU_GRAPH_COND_TYPE_IF ? c->size == 1 || c->size == 2
                    : c->type == CU_GRAPH_COND_TYPE_WHILE ? c->size == 1
                    : c->type == CU_GRAPH_COND_TYPE_SWITCH && c->size >= 1;
        if (!size_ok || !cond_find(c->handle)) return CUDA_ERROR_INVALID_VALUE;
        CUgraph *bodies = emu_calloc(c->size, sizeof *bodies);
        for (unsigned i = 0; i < c->size; i++) {
            bodies[i] = graph_new(0);
            bodies[i]->owned = 1;
        }
        c->phGraph_out = out->conditional.phGraph_out = bodies;
        return CUDA_SUCCESS;
    }
    case CU_GRAPH_NODE_TYPE_EXT_SEMAS_SIGNAL:
    case CU_GRAPH_NODE_TYPE_EXT_SEMAS_WAIT:
    case CU_GRAPH_NODE_TYPE_MEMCPY_BATCH:
    case CU_GRAPH_NODE_TYPE_FABRIC_CPY_BATCH:
        return CUDA_ERROR_NOT_SUPPORTED;
    default:
        return CUDA_ERROR_INVALID_VALUE;
    }
}

/* d takes a deep copy of s's parameters (clone, instantiation, update). */
static void copy_params(CUgraphNode d, CUgraphNode s, int internal) {
    CUgraphNodeParams *p = &d->p;
    *p = s->p;
    switch (s->type) {
    case CU_GRAPH_NODE_TYPE_KERNEL:
        p->kernel.kernelParams = dup_args(kernel_fn(&s->p.kernel), s->p.kernel.kernelParams);
        p->kernel.extra = dup_extra(s->p.kernel.extra);
        break;
    case CU_GRAPH_NODE_TYPE_GRAPH: p->graph.graph = owned_clone(s->p.graph.graph, internal); break;
    case CU_GRAPH_NODE_TYPE_BATCH_MEM_OP:
        p->memOp.paramArray = dup_mem(s->p.memOp.paramArray, s->p.memOp.count * sizeof *p->memOp.paramArray);
        break;
    case CU_GRAPH_NODE_TYPE_MEM_ALLOC:
        p->alloc.accessDescs = dup_mem(s->p.alloc.accessDescs, s->p.alloc.accessDescCount * sizeof *p->alloc.accessDescs);
        d->mem = s->mem;
        d->mem->refs++;
        break;
    case CU_GRAPH_NODE_TYPE_CONDITIONAL:
        p->conditional.phGraph_out = emu_calloc(s->p.conditional.size, sizeof(CUgraph));
        for (unsigned i = 0; i < s->p.conditional.size; i++)
            p->conditional.phGraph_out[i] = owned_clone(s->p.conditional.phGraph_out[i], internal);
        break;
    default: break;
    }
}

static CUgraph graph_clone(CUgraph src, int internal) {
    CUgraph g = graph_new(internal);
    number_nodes(src);
    for (size_t i = 0; i < src->nnodes; i++) {
        CUgraphNode s = src->nodes[i], n = node_new(g, s->type);
        n->origin = s;
        n->local_id = s->local_id;
        n->disabled = s->disabled;
        copy_params(n, s, internal);
    }
    g->next_local = src->next_local;
    for (size_t i = 0; i < src->nedges; i++) {
        struct edge *e = &src->edges[i];
        edge_add(g, g->nodes[e->from->mark], g->nodes[e->to->mark], &e->data);
    }
    for (size_t i = 0; i < src->nrefs; i++) {
        src->refs[i].uo->refs += src->refs[i].count;
        graph_add_ref(g, src->refs[i].uo, src->refs[i].count);
    }
    return g;
}

/* Dependencies for a new node or edge: live nodes of g, no repeats, edge data that makes sense. */
static int edge_data_ok(CUgraphNode from, const CUgraphEdgeData *d) {
    static const unsigned char zero[5];
    if (!d) return 1;
    if (d->to_port || d->type > CU_GRAPH_DEPENDENCY_TYPE_PROGRAMMATIC || memcmp(d->reserved, zero, 5)) return 0;
    if (d->from_port > CU_GRAPH_KERNEL_NODE_PORT_LAUNCH_ORDER) return 0;
    return !d->from_port || from->type == CU_GRAPH_NODE_TYPE_KERNEL;
}
static CUresult check_deps(CUgraph g, const CUgraphNode *deps, const CUgraphEdgeData *data, size_t n) {
    if (n && !deps) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < n; i++) {
        if (!node_ok(deps[i]) || deps[i]->graph != g || !edge_data_ok(deps[i], data ? &data[i] : NULL))
            return CUDA_ERROR_INVALID_VALUE;
        for (size_t j = 0; j < i; j++)
            if (deps[j] == deps[i]) return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}
static CUresult add_node(CUgraphNode *out, CUgraph g, const CUgraphNode *deps, const CUgraphEdgeData *data,
                         size_t n, CUgraphNodeParams *params) {
    CUgraphNodeParams p;
    struct gmem *mem = NULL;
    if (!out || !graph_ok(g) || !params) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = check_deps(g, deps, data, n);
    if (!r) r = build_params(params, &p, &mem);
    if (r) return r;
    CUgraphNode node = node_new(g, params->type);
    node->p = p;
    node->mem = mem;
    for (size_t i = 0; i < n; i++) edge_add(g, deps[i], node, data ? &data[i] : NULL);
    if (mem) gmem_stats(NULL, NULL);
    *out = node;
    return CUDA_SUCCESS;
}

/* ---- cuGraphExecUpdate and child-graph parameter updates: same node count, types, edges
   (nodes paired by creation order); then every node takes its counterpart's parameters. ---- */
static CUgraphExecUpdateResult update_check(CUgraph dst, CUgraph src, CUgraphExecUpdateResultInfo *info) {
    info->errorNode = info->errorFromNode = NULL;
    if (dst->nnodes != src->nnodes || dst->nedges != src->nedges) return CU_GRAPH_EXEC_UPDATE_ERROR_TOPOLOGY_CHANGED;
    for (size_t i = 0; i < src->nnodes; i++)
        if (dst->nodes[i]->type != src->nodes[i]->type) {
            info->errorNode = src->nodes[i];
            return CU_GRAPH_EXEC_UPDATE_ERROR_NODE_TYPE_CHANGED;
        }
    number_nodes(src);
    for (size_t i = 0; i < src->nedges; i++) {
        struct edge *e = &src->edges[i];
        if (edge_find(dst, dst->nodes[e->from->mark], dst->nodes[e->to->mark]) < 0) {
            info->errorNode = e->to;
            info->errorFromNode = e->from;
            return CU_GRAPH_EXEC_UPDATE_ERROR_TOPOLOGY_CHANGED;
        }
    }
    for (size_t i = 0; i < src->nnodes; i++) {
        CUgraphNode d = dst->nodes[i], s = src->nodes[i];
        CUgraphExecUpdateResult r = CU_GRAPH_EXEC_UPDATE_SUCCESS;
        if (s->type == CU_GRAPH_NODE_TYPE_GRAPH) {
            r = update_check(d->p.graph.graph, s->p.graph.graph, info);
        } else if (s->type == CU_GRAPH_NODE_TYPE_CONDITIONAL) {
            if (d->p.conditional.type != s->p.conditional.type || d->p.conditional.size != s->p.conditional.size) {
                info->errorNode = s;
                return CU_GRAPH_EXEC_UPDATE_ERROR_PARAMETERS_CHANGED;
            }
            for (unsigned k = 0; !r && k < s->p.conditional.size; k++)
                r = update_check(d->p.conditional.phGraph_out[k], s->p.conditional.phGraph_out[k], info);
        }
        if (r) return r;
    }
    return CU_GRAPH_EXEC_UPDATE_SUCCESS;
}
static void update_apply(CUgraph dst, CUgraph src) {
    for (size_t i = 0; i < src->nnodes; i++) {
        CUgraphNode d = dst->nodes[i], s = src->nodes[i];
        switch (s->type) {
        case CU_GRAPH_NODE_TYPE_GRAPH: update_apply(d->p.graph.graph, s->p.graph.graph); break;
        case CU_GRAPH_NODE_TYPE_CONDITIONAL:
            d->p.conditional.handle = s->p.conditional.handle;
            for (unsigned k = 0; k < s->p.conditional.size; k++)
                update_apply(d->p.conditional.phGraph_out[k], s->p.conditional.phGraph_out[k]);
            break;
        case CU_GRAPH_NODE_TYPE_MEM_ALLOC:
        case CU_GRAPH_NODE_TYPE_MEM_FREE: break; /* cannot change */
        default:
            release_params(d);
            copy_params(d, s, dst->internal);
        }
    }
}

/* New parameters for a node of a graph (in_exec 0) or of an executable graph's snapshot. */
static CUresult node_set(CUgraphNode n, CUgraphNodeParams *in, int in_exec) {
    CUgraphNodeParams p;
    CUgraphExecUpdateResultInfo info;
    if (!in || in->type != n->type) return CUDA_ERROR_INVALID_VALUE;
    switch (n->type) {
    case CU_GRAPH_NODE_TYPE_MEM_ALLOC:
    case CU_GRAPH_NODE_TYPE_MEM_FREE:
        return CUDA_ERROR_NOT_SUPPORTED;
    case CU_GRAPH_NODE_TYPE_CONDITIONAL:
        if (in_exec) return CUDA_ERROR_NOT_SUPPORTED;
        if (in->conditional.type != n->p.conditional.type || in->conditional.size != n->p.conditional.size ||
            !cond_find(in->conditional.handle))
            return CUDA_ERROR_INVALID_VALUE;
        n->p.conditional.handle = in->conditional.handle; /* the bodies stay */
        n->p.conditional.ctx = in->conditional.ctx;
        return CUDA_SUCCESS;
    case CU_GRAPH_NODE_TYPE_GRAPH: {
        CUgraph src = in->graph.graph, cur = n->p.graph.graph;
        if (!graph_ok(src)) return CUDA_ERROR_INVALID_VALUE;
        if (src == cur) return CUDA_SUCCESS;
        if (update_check(cur, src, &info) == CU_GRAPH_EXEC_UPDATE_SUCCESS) {
            update_apply(cur, src); /* the child's nodes keep their handles */
            return CUDA_SUCCESS;
        }
        if (in_exec) return CUDA_ERROR_INVALID_VALUE;
        n->p.graph.graph = owned_clone(src, n->graph->internal); /* a new topology: a new copy */
        graph_destroy(cur);
        return CUDA_SUCCESS;
    }
    default: {
        CUresult r = build_params(in, &p, NULL);
        if (r) return r;
        release_params(n);
        n->p = p;
        return CUDA_SUCCESS;
    }
    }
}

/* ---- graphs and nodes: entry points ---- */
static CUresult graph_create(CUgraph *out, unsigned flags) {
    if (!out || flags) return CUDA_ERROR_INVALID_VALUE;
    *out = graph_new(0);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphCreate(CUgraph *phGraph, unsigned int flags) { LOCKED(graph_create(phGraph, flags)); }

static CUresult graph_destroy_user(CUgraph g) {
    if (!graph_ok(g) || g->owned) return CUDA_ERROR_INVALID_VALUE;
    graph_destroy(g);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphDestroy(CUgraph hGraph) { LOCKED(graph_destroy_user(hGraph)); }

static CUresult clone_user(CUgraph *out, CUgraph g) {
    if (!out || !graph_ok(g)) return CUDA_ERROR_INVALID_VALUE;
    *out = graph_clone(g, 0);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphClone(CUgraph *phGraphClone, CUgraph originalGraph) { LOCKED(clone_user(phGraphClone, originalGraph)); }

static CUresult find_in_clone(CUgraphNode *out, CUgraphNode orig, CUgraph clone) {
    if (!out || !node_ok(orig) || !graph_ok(clone)) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < clone->nnodes; i++)
        if (clone->nodes[i]->origin == orig) { *out = clone->nodes[i]; return CUDA_SUCCESS; }
    return CUDA_ERROR_INVALID_VALUE;
}
CUresult CUDAAPI cuGraphNodeFindInClone(CUgraphNode *phNode, CUgraphNode hOriginalNode, CUgraph hClonedGraph) {
    LOCKED(find_in_clone(phNode, hOriginalNode, hClonedGraph));
}

/* The query shape shared by node lists: count only when `out` is NULL; otherwise up to *count
   entries, the rest NULLed, *count the number written. */
/* An output array given with a count of 0 is refused, as driver 580 refuses it (seen on an H200). */
static CUresult list_nodes(CUgraph g, int roots, CUgraphNode *out, size_t *count) {
    if (!graph_ok(g) || !count || (out && !*count)) return CUDA_ERROR_INVALID_VALUE;
    size_t k = 0;
    number_nodes(g);
    char *has_in = emu_calloc(g->nnodes, 1);
    for (size_t i = 0; roots && i < g->nedges; i++) has_in[g->edges[i].to->mark] = 1;
    for (size_t i = 0; i < g->nnodes; i++) {
        if (has_in[i]) continue;
        if (out && k < *count) out[k] = g->nodes[i];
        k++;
    }
    free(has_in);
    if (out) {
        for (size_t i = k; i < *count; i++) out[i] = NULL;
        if (k < *count) *count = k;
    } else {
        *count = k;
    }
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphGetNodes(CUgraph hGraph, CUgraphNode *nodes, size_t *numNodes) {
    LOCKED(list_nodes(hGraph, 0, nodes, numNodes));
}
CUresult CUDAAPI cuGraphGetRootNodes(CUgraph hGraph, CUgraphNode *rootNodes, size_t *numRootNodes) {
    LOCKED(list_nodes(hGraph, 1, rootNodes, numRootNodes));
}

static int edge_data_zero(const CUgraphEdgeData *d) {
    static const CUgraphEdgeData zero;
    return !memcmp(d, &zero, sizeof zero);
}
/* Edges of g (node NULL), or the edges into (incoming) or out of a node, in the same shape. */
static CUresult list_edges(CUgraph g, CUgraphNode node, int incoming, CUgraphNode *from, CUgraphNode *to,
                           CUgraphEdgeData *data, size_t *count) {
    if (!count || (data && (!from || (!node && !to))) || (!node && !from != !to) || (from && !*count))
        return CUDA_ERROR_INVALID_VALUE;
    size_t k = 0;
    for (size_t i = 0; i < g->nedges; i++) {
        struct edge *e = &g->edges[i];
        if (node && (incoming ? e->to : e->from) != node) continue;
        if (from && k < *count) {
            if (!data && !edge_data_zero(&e->data)) return CUDA_ERROR_LOSSY_QUERY;
            from[k] = node ? (incoming ? e->from : e->to) : e->from;
            if (to) to[k] = e->to;
            if (data) data[k] = e->data;
        }
        k++;
    }
    if (!from) { *count = k; return CUDA_SUCCESS; }
    for (size_t i = k; i < *count; i++) {
        from[i] = NULL;
        if (to) to[i] = NULL;
        if (data) memset(&data[i], 0, sizeof *data);
    }
    if (k < *count) *count = k;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphGetEdges(CUgraph hGraph, CUgraphNode *from, CUgraphNode *to, CUgraphEdgeData *edgeData,
                                 size_t *numEdges) {
    LOCKED(graph_ok(hGraph) ? list_edges(hGraph, NULL, 0, from, to, edgeData, numEdges) : CUDA_ERROR_INVALID_VALUE);
}
CUresult CUDAAPI cuGraphNodeGetDependencies(CUgraphNode hNode, CUgraphNode *dependencies, CUgraphEdgeData *edgeData,
                                            size_t *numDependencies) {
    LOCKED(node_ok(hNode) ? list_edges(hNode->graph, hNode, 1, dependencies, NULL, edgeData, numDependencies)
                          : CUDA_ERROR_INVALID_VALUE);
}
CUresult CUDAAPI cuGraphNodeGetDependentNodes(CUgraphNode hNode, CUgraphNode *dependentNodes, CUgraphEdgeData *edgeData,
                                              size_t *numDependentNodes) {
    LOCKED(node_ok(hNode) ? list_edges(hNode->graph, hNode, 0, dependentNodes, NULL, edgeData, numDependentNodes)
                          : CUDA_ERROR_INVALID_VALUE);
}

static CUresult change_edges(CUgraph g, const CUgraphNode *from, const CUgraphNode *to, const CUgraphEdgeData *data,
                             size_t n, int add) {
    if (!graph_ok(g)) return CUDA_ERROR_INVALID_VALUE;
    if (!n) return CUDA_SUCCESS;
    if (!from || !to) return CUDA_ERROR_INVALID_VALUE;
    if (!add) /* the driver refuses this where memory nodes are */
        for (size_t i = 0; i < g->nnodes; i++)
            if (g->nodes[i]->type == CU_GRAPH_NODE_TYPE_MEM_ALLOC || g->nodes[i]->type == CU_GRAPH_NODE_TYPE_MEM_FREE)
                return CUDA_ERROR_NOT_SUPPORTED;
    for (size_t i = 0; i < n; i++) { /* all checked before any is changed */
        const CUgraphEdgeData *d = data ? &data[i] : NULL;
        if (!node_ok(from[i]) || !node_ok(to[i]) || from[i]->graph != g || to[i]->graph != g || from[i] == to[i])
            return CUDA_ERROR_INVALID_VALUE;
        long at = edge_find(g, from[i], to[i]);
        if (add) {
            if (at >= 0 || !edge_data_ok(from[i], d)) return CUDA_ERROR_INVALID_VALUE;
            for (size_t j = 0; j < i; j++)
                if (from[j] == from[i] && to[j] == to[i]) return CUDA_ERROR_INVALID_VALUE;
        } else {
            CUgraphEdgeData zero = {0};
            if (at < 0 || memcmp(&g->edges[at].data, d ? d : &zero, sizeof zero)) return CUDA_ERROR_INVALID_VALUE;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (add) edge_add(g, from[i], to[i], data ? &data[i] : NULL);
        else {
            long at = edge_find(g, from[i], to[i]);
            if (at >= 0) edge_remove(g, (size_t)at);
        }
    }
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphAddDependencies(CUgraph hGraph, const CUgraphNode *from, const CUgraphNode *to,
                                        const CUgraphEdgeData *edgeData, size_t numDependencies) {
    LOCKED(change_edges(hGraph, from, to, edgeData, numDependencies, 1));
}
CUresult CUDAAPI cuGraphRemoveDependencies(CUgraph hGraph, const CUgraphNode *from, const CUgraphNode *to,
                                           const CUgraphEdgeData *edgeData, size_t numDependencies) {
    LOCKED(change_edges(hGraph, from, to, edgeData, numDependencies, 0));
}

static CUresult destroy_node(CUgraphNode n) {
    if (!node_ok(n)) return CUDA_ERROR_INVALID_VALUE;
    CUgraph g = n->graph;
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i]->type == CU_GRAPH_NODE_TYPE_MEM_ALLOC || g->nodes[i]->type == CU_GRAPH_NODE_TYPE_MEM_FREE)
            return CUDA_ERROR_NOT_SUPPORTED;
    for (size_t i = g->nedges; i-- > 0;)
        if (g->edges[i].from == n || g->edges[i].to == n) edge_remove(g, i);
    for (size_t i = 0; i < g->nnodes; i++)
        if (g->nodes[i] == n) {
            memmove(g->nodes + i, g->nodes + i + 1, (g->nnodes - i - 1) * sizeof *g->nodes);
            g->nnodes--;
            break;
        }
    node_free(n);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphDestroyNode(CUgraphNode hNode) { LOCKED(destroy_node(hNode)); }

#define NODE_QUERY(n, out, expr) LOCKED(!node_ok(n) || !(out) ? CUDA_ERROR_INVALID_VALUE : (*(out) = (expr), CUDA_SUCCESS))
CUresult CUDAAPI cuGraphNodeGetType(CUgraphNode hNode, CUgraphNodeType *type) { NODE_QUERY(hNode, type, hNode->type); }
CUresult CUDAAPI cuGraphNodeGetContainingGraph(CUgraphNode hNode, CUgraph *phGraph) {
    NODE_QUERY(hNode, phGraph, hNode->graph);
}
CUresult CUDAAPI cuGraphNodeGetLocalId(CUgraphNode hNode, unsigned int *nodeId) { NODE_QUERY(hNode, nodeId, hNode->local_id); }
CUresult CUDAAPI cuGraphNodeGetToolsId(CUgraphNode hNode, unsigned long long *toolsNodeId) {
    NODE_QUERY(hNode, toolsNodeId, ((unsigned long long)hNode->graph->id << 32) | hNode->local_id);
}
CUresult CUDAAPI cuGraphGetId(CUgraph hGraph, unsigned int *graphId) {
    LOCKED(!graph_ok(hGraph) || !graphId ? CUDA_ERROR_INVALID_VALUE : (*graphId = hGraph->id, CUDA_SUCCESS));
}
CUresult CUDAAPI cuGraphExecGetId(CUgraphExec hGraphExec, unsigned int *graphId) {
    LOCKED(!emu_valid(hGraphExec, TAG_EXEC) || !graphId ? CUDA_ERROR_INVALID_VALUE
                                                        : (*graphId = hGraphExec->id, CUDA_SUCCESS));
}

static const char *type_name(CUgraphNodeType t) {
    static const char *names[] = {"KERNEL", "MEMCPY", "MEMSET", "HOST", "GRAPH", "EMPTY", "WAIT_EVENT",
                                  "EVENT_RECORD", "EXT_SEMAS_SIGNAL", "EXT_SEMAS_WAIT", "MEM_ALLOC",
                                  "MEM_FREE", "BATCH_MEM_OP", "CONDITIONAL"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "NODE";
}
static void dot_graph(FILE *f, CUgraph g) {
    fprintf(f, "subgraph cluster_%u {\nlabel=\"graph_%u\";\n", g->id, g->id);
    for (size_t i = 0; i < g->nnodes; i++) {
        CUgraphNode n = g->nodes[i];
        fprintf(f, "\"graph_%u_node_%u\" [label=\"%s\\nid %u\"];\n", g->id, n->local_id, type_name(n->type), n->local_id);
        if (n->type == CU_GRAPH_NODE_TYPE_GRAPH) dot_graph(f, n->p.graph.graph);
        for (unsigned k = 0; n->type == CU_GRAPH_NODE_TYPE_CONDITIONAL && k < n->p.conditional.size; k++)
            dot_graph(f, n->p.conditional.phGraph_out[k]);
    }
    for (size_t i = 0; i < g->nedges; i++)
        fprintf(f, "\"graph_%u_node_%u\" -> \"graph_%u_node_%u\";\n", g->id, g->edges[i].from->local_id, g->id,
                g->edges[i].to->local_id);
    fprintf(f, "}\n");
}
static CUresult dot_print(CUgraph g, const char *path) {
    if (!graph_ok(g) || !path) return CUDA_ERROR_INVALID_VALUE;
    FILE *f = fopen(path, "w");
    if (!f) return CUDA_ERROR_OPERATING_SYSTEM;
    fprintf(f, "digraph dot {\ncompound=true;\n");
    dot_graph(f, g);
    fprintf(f, "}\n");
    return fclose(f) ? CUDA_ERROR_OPERATING_SYSTEM : CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphDebugDotPrint(CUgraph hGraph, const char *path, unsigned int flags) {
    (void)flags;
    LOCKED(dot_print(hGraph, path));
}

/* ---- adding nodes: every kind goes through add_node with generic parameters ---- */
static CUresult add_generic(CUgraphNode *out, CUgraph g, const CUgraphNode *deps, const CUgraphEdgeData *data,
                            size_t n, CUgraphNodeParams *p) {
    LOCKED(add_node(out, g, deps, data, n, p));
}
CUresult CUDAAPI cuGraphAddNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                const CUgraphEdgeData *dependencyData, size_t numDependencies,
                                CUgraphNodeParams *nodeParams) {
    return add_generic(phGraphNode, hGraph, dependencies, dependencyData, numDependencies, nodeParams);
}
CUresult CUDAAPI cuGraphAddNode_v3(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                   const CUgraphEdgeData *dependencyData, size_t numDependencies,
                                   CUgraphNodeParams *nodeParams) {
    return add_generic(phGraphNode, hGraph, dependencies, dependencyData, numDependencies, nodeParams);
}
#define GENERIC(t) CUgraphNodeParams gp; memset(&gp, 0, sizeof gp); gp.type = (t)

CUresult CUDAAPI cuGraphAddKernelNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                      size_t numDependencies, const CUDA_KERNEL_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_KERNEL);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.kernel, nodeParams, sizeof *nodeParams); /* v2 and v3 share the layout */
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddMemcpyNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                      size_t numDependencies, const CUDA_MEMCPY3D *copyParams, CUcontext ctx) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEMCPY);
    if (!copyParams) return CUDA_ERROR_INVALID_VALUE;
    gp.memcpy.copyCtx = ctx;
    gp.memcpy.copyParams = *copyParams;
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
static void memset_generic(CUgraphNodeParams *gp, const CUDA_MEMSET_NODE_PARAMS *m, CUcontext ctx) {
    gp->memset = (CUDA_MEMSET_NODE_PARAMS_v2){m->dst, m->pitch, m->value, m->elementSize, m->width, m->height, ctx};
}
CUresult CUDAAPI cuGraphAddMemsetNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                      size_t numDependencies, const CUDA_MEMSET_NODE_PARAMS *memsetParams, CUcontext ctx) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEMSET);
    if (!memsetParams) return CUDA_ERROR_INVALID_VALUE;
    memset_generic(&gp, memsetParams, ctx);
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddHostNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                    size_t numDependencies, const CUDA_HOST_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_HOST);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    gp.host.fn = nodeParams->fn;
    gp.host.userData = nodeParams->userData;
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddChildGraphNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                          size_t numDependencies, CUgraph childGraph) {
    GENERIC(CU_GRAPH_NODE_TYPE_GRAPH);
    gp.graph.graph = childGraph;
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddEmptyNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                     size_t numDependencies) {
    GENERIC(CU_GRAPH_NODE_TYPE_EMPTY);
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddEventRecordNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                           size_t numDependencies, CUevent event) {
    GENERIC(CU_GRAPH_NODE_TYPE_EVENT_RECORD);
    gp.eventRecord.event = event;
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddEventWaitNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                         size_t numDependencies, CUevent event) {
    GENERIC(CU_GRAPH_NODE_TYPE_WAIT_EVENT);
    gp.eventWait.event = event;
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddMemAllocNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                        size_t numDependencies, CUDA_MEM_ALLOC_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEM_ALLOC);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.alloc, nodeParams, sizeof *nodeParams); /* v1 and v2 share the layout */
    CUresult r = add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
    if (!r) nodeParams->dptr = gp.alloc.dptr;
    return r;
}
CUresult CUDAAPI cuGraphAddMemFreeNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                       size_t numDependencies, CUdeviceptr dptr) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEM_FREE);
    gp.free.dptr = dptr;
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}
CUresult CUDAAPI cuGraphAddBatchMemOpNode(CUgraphNode *phGraphNode, CUgraph hGraph, const CUgraphNode *dependencies,
                                          size_t numDependencies, const CUDA_BATCH_MEM_OP_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_BATCH_MEM_OP);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.memOp, nodeParams, sizeof *nodeParams);
    return add_generic(phGraphNode, hGraph, dependencies, NULL, numDependencies, &gp);
}

/* ---- node parameters: get and set ---- */
static CUresult node_get(CUgraphNode n, CUgraphNodeType type, CUgraphNodeParams *out) {
    if (!node_ok(n) || !out || ((int)type >= 0 && n->type != type)) return CUDA_ERROR_INVALID_VALUE;
    if (n->mem) n->p.alloc.dptr = n->mem->p;
    *out = n->p;
    return CUDA_SUCCESS;
}
static CUresult node_get_locked(CUgraphNode n, CUgraphNodeType type, CUgraphNodeParams *out) { LOCKED(node_get(n, type, out)); }
static CUresult node_set_locked(CUgraphNode n, CUgraphNodeParams *in) {
    LOCKED(node_ok(n) ? node_set(n, in, 0) : CUDA_ERROR_INVALID_VALUE);
}
#define ANY_TYPE ((CUgraphNodeType)-1)

CUresult CUDAAPI cuGraphNodeGetParams(CUgraphNode hNode, CUgraphNodeParams *nodeParams) {
    return node_get_locked(hNode, ANY_TYPE, nodeParams);
}
CUresult CUDAAPI cuGraphNodeSetParams(CUgraphNode hNode, CUgraphNodeParams *nodeParams) {
    return node_set_locked(hNode, nodeParams);
}
CUresult CUDAAPI cuGraphNodeSetParams_v2(CUgraphNode hNode, CUgraphNodeParams *nodeParams) {
    return node_set_locked(hNode, nodeParams);
}

/* Each typed getter reads the generic parameters, each setter writes them. */
#define TYPED_GET(t, out, expr) do { CUgraphNodeParams gp; if (!(out)) return CUDA_ERROR_INVALID_VALUE; \
    CUresult r = node_get_locked(hNode, t, &gp); \
    if (!r) { __typeof__(expr) v_ = (expr); _Static_assert(sizeof v_ == sizeof *(out), "layout"); \
              memcpy((out), &v_, sizeof v_); } \
    return r; } while (0)

CUresult CUDAAPI cuGraphKernelNodeGetParams(CUgraphNode hNode, CUDA_KERNEL_NODE_PARAMS *nodeParams) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_KERNEL, nodeParams, gp.kernel); /* v2 and v3 are one layout */
}
CUresult CUDAAPI cuGraphKernelNodeSetParams(CUgraphNode hNode, const CUDA_KERNEL_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_KERNEL);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.kernel, nodeParams, sizeof *nodeParams);
    return node_set_locked(hNode, &gp);
}
CUresult CUDAAPI cuGraphMemcpyNodeGetParams(CUgraphNode hNode, CUDA_MEMCPY3D *nodeParams) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_MEMCPY, nodeParams, gp.memcpy.copyParams);
}
CUresult CUDAAPI cuGraphMemcpyNodeSetParams(CUgraphNode hNode, const CUDA_MEMCPY3D *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEMCPY);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    gp.memcpy.copyParams = *nodeParams;
    return node_set_locked(hNode, &gp);
}
CUresult CUDAAPI cuGraphMemsetNodeGetParams(CUgraphNode hNode, CUDA_MEMSET_NODE_PARAMS *nodeParams) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_MEMSET, nodeParams,
              ((CUDA_MEMSET_NODE_PARAMS){gp.memset.dst, gp.memset.pitch, gp.memset.value, gp.memset.elementSize,
                                         gp.memset.width, gp.memset.height}));
}
CUresult CUDAAPI cuGraphMemsetNodeSetParams(CUgraphNode hNode, const CUDA_MEMSET_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEMSET);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memset_generic(&gp, nodeParams, NULL);
    return node_set_locked(hNode, &gp);
}
CUresult CUDAAPI cuGraphHostNodeGetParams(CUgraphNode hNode, CUDA_HOST_NODE_PARAMS *nodeParams) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_HOST, nodeParams, ((CUDA_HOST_NODE_PARAMS){gp.host.fn, gp.host.userData}));
}
CUresult CUDAAPI cuGraphHostNodeSetParams(CUgraphNode hNode, const CUDA_HOST_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_HOST);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    gp.host.fn = nodeParams->fn;
    gp.host.userData = nodeParams->userData;
    return node_set_locked(hNode, &gp);
}
CUresult CUDAAPI cuGraphChildGraphNodeGetGraph(CUgraphNode hNode, CUgraph *phGraph) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_GRAPH, phGraph, gp.graph.graph);
}
CUresult CUDAAPI cuGraphEventRecordNodeGetEvent(CUgraphNode hNode, CUevent *event_out) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_EVENT_RECORD, event_out, gp.eventRecord.event);
}
CUresult CUDAAPI cuGraphEventRecordNodeSetEvent(CUgraphNode hNode, CUevent event) {
    GENERIC(CU_GRAPH_NODE_TYPE_EVENT_RECORD);
    gp.eventRecord.event = event;
    return node_set_locked(hNode, &gp);
}
CUresult CUDAAPI cuGraphEventWaitNodeGetEvent(CUgraphNode hNode, CUevent *event_out) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_WAIT_EVENT, event_out, gp.eventWait.event);
}
CUresult CUDAAPI cuGraphEventWaitNodeSetEvent(CUgraphNode hNode, CUevent event) {
    GENERIC(CU_GRAPH_NODE_TYPE_WAIT_EVENT);
    gp.eventWait.event = event;
    return node_set_locked(hNode, &gp);
}
CUresult CUDAAPI cuGraphMemAllocNodeGetParams(CUgraphNode hNode, CUDA_MEM_ALLOC_NODE_PARAMS *params_out) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_MEM_ALLOC, params_out, gp.alloc);
}
CUresult CUDAAPI cuGraphMemFreeNodeGetParams(CUgraphNode hNode, CUdeviceptr *dptr_out) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_MEM_FREE, dptr_out, gp.free.dptr);
}
CUresult CUDAAPI cuGraphBatchMemOpNodeGetParams(CUgraphNode hNode, CUDA_BATCH_MEM_OP_NODE_PARAMS *nodeParams_out) {
    TYPED_GET(CU_GRAPH_NODE_TYPE_BATCH_MEM_OP, nodeParams_out, gp.memOp);
}
CUresult CUDAAPI cuGraphBatchMemOpNodeSetParams(CUgraphNode hNode, const CUDA_BATCH_MEM_OP_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_BATCH_MEM_OP);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.memOp, nodeParams, sizeof *nodeParams);
    return node_set_locked(hNode, &gp);
}

static CUresult cond_create(CUgraphConditionalHandle *out, CUgraph g, CUcontext ctx, unsigned dflt, unsigned flags) {
    if (!out || !graph_ok(g) || (flags & ~CU_GRAPH_COND_ASSIGN_DEFAULT)) return CUDA_ERROR_INVALID_VALUE;
    if (ctx && !emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    grow((void **)&conds, &capconds, nconds + 1, sizeof *conds);
    conds[nconds++] = (struct cond){emu_next_id(), dflt, flags};
    *out = conds[nconds - 1].h;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphConditionalHandleCreate(CUgraphConditionalHandle *pHandle_out, CUgraph hGraph, CUcontext ctx,
                                                unsigned int defaultLaunchValue, unsigned int flags) {
    LOCKED(cond_create(pHandle_out, hGraph, ctx, defaultLaunchValue, flags));
}

/* ---- executable graphs ---- */
#define INSTANTIATE_FLAGS (CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH | CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD | \
                           CUDA_GRAPH_INSTANTIATE_FLAG_DEVICE_LAUNCH | CUDA_GRAPH_INSTANTIATE_FLAG_USE_NODE_PRIORITY)

/* Acyclic at every level; for device launch, only the node kinds a device graph may hold. */
static CUgraphInstantiateResult check_structure(CUgraph g, cuuint64_t flags, CUgraphNode *bad) {
    CUgraphNode *order = topo_order(g);
    if (!order) { *bad = g->nnodes ? g->nodes[0] : NULL; return CUDA_GRAPH_INSTANTIATE_INVALID_STRUCTURE; }
    free(order);
    for (size_t i = 0; i < g->nnodes; i++) {
        CUgraphNode n = g->nodes[i];
        CUgraphInstantiateResult r = CUDA_GRAPH_INSTANTIATE_SUCCESS;
        switch (n->type) {
        case CU_GRAPH_NODE_TYPE_GRAPH: r = check_structure(n->p.graph.graph, flags, bad); break;
        case CU_GRAPH_NODE_TYPE_CONDITIONAL:
            for (unsigned k = 0; !r && k < n->p.conditional.size; k++)
                r = check_structure(n->p.conditional.phGraph_out[k], flags, bad);
            break;
        case CU_GRAPH_NODE_TYPE_KERNEL: case CU_GRAPH_NODE_TYPE_MEMCPY: case CU_GRAPH_NODE_TYPE_MEMSET:
        case CU_GRAPH_NODE_TYPE_EMPTY:
            break;
        default:
            if (flags & CUDA_GRAPH_INSTANTIATE_FLAG_DEVICE_LAUNCH) { *bad = n; r = CUDA_GRAPH_INSTANTIATE_NODE_OPERATION_NOT_SUPPORTED; }
        }
        if (r) return r;
    }
    return CUDA_GRAPH_INSTANTIATE_SUCCESS;
}
static CUresult instantiate(CUgraphExec *out, CUgraph g, cuuint64_t flags, CUgraphNode *bad,
                            CUgraphInstantiateResult *result) {
    *bad = NULL;
    *result = CUDA_GRAPH_INSTANTIATE_ERROR;
    if (!out || !graph_ok(g) || (flags & ~(cuuint64_t)INSTANTIATE_FLAGS)) return CUDA_ERROR_INVALID_VALUE;
    if ((flags & CUDA_GRAPH_INSTANTIATE_FLAG_DEVICE_LAUNCH) && (flags & CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH))
        return CUDA_ERROR_INVALID_VALUE;
    if ((*result = check_structure(g, flags, bad))) return CUDA_ERROR_INVALID_VALUE;
    CUgraphExec e = emu_calloc(1, sizeof *e);
    e->tag = TAG_EXEC;
    e->id = next_graph_id++;
    e->flags = flags & ~(cuuint64_t)CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD;
    e->g = graph_clone(g, 1);
    *out = e;
    return CUDA_SUCCESS;
}
static CUresult instantiate_flags(CUgraphExec *out, CUgraph g, unsigned long long flags) {
    CUgraphNode bad;
    CUgraphInstantiateResult result;
    if (flags & CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD) return CUDA_ERROR_INVALID_VALUE; /* ...WithParams only */
    return instantiate(out, g, flags, &bad, &result);
}
CUresult CUDAAPI cuGraphInstantiateWithFlags(CUgraphExec *phGraphExec, CUgraph hGraph, unsigned long long flags) {
    LOCKED(instantiate_flags(phGraphExec, hGraph, flags));
}
static CUresult instantiate_params(CUgraphExec *out, CUgraph g, CUDA_GRAPH_INSTANTIATE_PARAMS *p) {
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    if (p->flags & CUDA_GRAPH_INSTANTIATE_FLAG_UPLOAD) {
        CUstream s = p->hUploadStream;
        CUresult r = emu_stream_check(&s);
        if (r) { p->result_out = CUDA_GRAPH_INSTANTIATE_ERROR; p->hErrNode_out = NULL; return r; }
    }
    return instantiate(out, g, p->flags, &p->hErrNode_out, &p->result_out);
}
CUresult CUDAAPI cuGraphInstantiateWithParams(CUgraphExec *phGraphExec, CUgraph hGraph,
                                              CUDA_GRAPH_INSTANTIATE_PARAMS *instantiateParams) {
    LOCKED(instantiate_params(phGraphExec, hGraph, instantiateParams));
}
CUresult CUDAAPI cuGraphExecGetFlags(CUgraphExec hGraphExec, cuuint64_t *flags) {
    LOCKED(!emu_valid(hGraphExec, TAG_EXEC) || !flags ? CUDA_ERROR_INVALID_VALUE : (*flags = hGraphExec->flags, CUDA_SUCCESS));
}
static CUresult exec_destroy(CUgraphExec e) {
    if (!emu_valid(e, TAG_EXEC)) return CUDA_ERROR_INVALID_VALUE;
    graph_destroy(e->g);
    e->g = NULL;
    e->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphExecDestroy(CUgraphExec hGraphExec) { LOCKED(exec_destroy(hGraphExec)); }

/* The snapshot's copy of a node of the instantiated graph (child graphs and bodies included). */
static CUgraphNode exec_find(CUgraph g, CUgraphNode orig) {
    for (size_t i = 0; i < g->nnodes; i++) {
        CUgraphNode n = g->nodes[i], found = NULL;
        if (n->origin == orig) return n;
        if (n->type == CU_GRAPH_NODE_TYPE_GRAPH) found = exec_find(n->p.graph.graph, orig);
        for (unsigned k = 0; !found && n->type == CU_GRAPH_NODE_TYPE_CONDITIONAL && k < n->p.conditional.size; k++)
            found = exec_find(n->p.conditional.phGraph_out[k], orig);
        if (found) return found;
    }
    return NULL;
}
static CUresult exec_node(CUgraphExec e, CUgraphNode orig, CUgraphNodeType type, CUgraphNode *out) {
    if (!emu_valid(e, TAG_EXEC) || !node_ok(orig)) return CUDA_ERROR_INVALID_VALUE;
    *out = exec_find(e->g, orig);
    if (!*out || ((int)type >= 0 && (*out)->type != type)) return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}
static CUresult exec_set(CUgraphExec e, CUgraphNode orig, CUgraphNodeParams *p) {
    CUgraphNode n;
    CUresult r = p ? exec_node(e, orig, p->type, &n) : CUDA_ERROR_INVALID_VALUE;
    return r ? r : node_set(n, p, 1);
}
static CUresult exec_set_locked(CUgraphExec e, CUgraphNode orig, CUgraphNodeParams *p) { LOCKED(exec_set(e, orig, p)); }

CUresult CUDAAPI cuGraphExecNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode, CUgraphNodeParams *nodeParams) {
    return exec_set_locked(hGraphExec, hNode, nodeParams);
}
CUresult CUDAAPI cuGraphExecKernelNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode,
                                                const CUDA_KERNEL_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_KERNEL);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.kernel, nodeParams, sizeof *nodeParams);
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecMemcpyNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode,
                                                const CUDA_MEMCPY3D *copyParams, CUcontext ctx) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEMCPY);
    if (!copyParams) return CUDA_ERROR_INVALID_VALUE;
    gp.memcpy.copyCtx = ctx;
    gp.memcpy.copyParams = *copyParams;
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecMemsetNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode,
                                                const CUDA_MEMSET_NODE_PARAMS *memsetParams, CUcontext ctx) {
    GENERIC(CU_GRAPH_NODE_TYPE_MEMSET);
    if (!memsetParams) return CUDA_ERROR_INVALID_VALUE;
    memset_generic(&gp, memsetParams, ctx);
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecHostNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode,
                                              const CUDA_HOST_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_HOST);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    gp.host.fn = nodeParams->fn;
    gp.host.userData = nodeParams->userData;
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecChildGraphNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode, CUgraph childGraph) {
    GENERIC(CU_GRAPH_NODE_TYPE_GRAPH);
    gp.graph.graph = childGraph;
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecEventRecordNodeSetEvent(CUgraphExec hGraphExec, CUgraphNode hNode, CUevent event) {
    GENERIC(CU_GRAPH_NODE_TYPE_EVENT_RECORD);
    gp.eventRecord.event = event;
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecEventWaitNodeSetEvent(CUgraphExec hGraphExec, CUgraphNode hNode, CUevent event) {
    GENERIC(CU_GRAPH_NODE_TYPE_WAIT_EVENT);
    gp.eventWait.event = event;
    return exec_set_locked(hGraphExec, hNode, &gp);
}
CUresult CUDAAPI cuGraphExecBatchMemOpNodeSetParams(CUgraphExec hGraphExec, CUgraphNode hNode,
                                                    const CUDA_BATCH_MEM_OP_NODE_PARAMS *nodeParams) {
    GENERIC(CU_GRAPH_NODE_TYPE_BATCH_MEM_OP);
    if (!nodeParams) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&gp.memOp, nodeParams, sizeof *nodeParams);
    return exec_set_locked(hGraphExec, hNode, &gp);
}

static CUresult set_enabled(CUgraphExec e, CUgraphNode orig, unsigned *on, int set) {
    CUgraphNode n;
    CUresult r = exec_node(e, orig, ANY_TYPE, &n);
    if (r || (!set && !on)) return r ? r : CUDA_ERROR_INVALID_VALUE;
    if (n->type != CU_GRAPH_NODE_TYPE_KERNEL && n->type != CU_GRAPH_NODE_TYPE_MEMCPY &&
        n->type != CU_GRAPH_NODE_TYPE_MEMSET && n->type != CU_GRAPH_NODE_TYPE_MEMCPY_BATCH)
        return CUDA_ERROR_INVALID_VALUE;
    if (set) n->disabled = !*on;
    else *on = !n->disabled;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphNodeSetEnabled(CUgraphExec hGraphExec, CUgraphNode hNode, unsigned int isEnabled) {
    LOCKED(set_enabled(hGraphExec, hNode, &isEnabled, 1));
}
CUresult CUDAAPI cuGraphNodeGetEnabled(CUgraphExec hGraphExec, CUgraphNode hNode, unsigned int *isEnabled) {
    LOCKED(set_enabled(hGraphExec, hNode, isEnabled, 0));
}

static CUresult exec_update(CUgraphExec e, CUgraph g, CUgraphExecUpdateResultInfo *info) {
    if (!info) return CUDA_ERROR_INVALID_VALUE;
    memset(info, 0, sizeof *info);
    info->result = CU_GRAPH_EXEC_UPDATE_ERROR;
    if (!emu_valid(e, TAG_EXEC) || !graph_ok(g)) return CUDA_ERROR_INVALID_VALUE;
    if ((info->result = update_check(e->g, g, info))) return CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE;
    update_apply(e->g, g);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphExecUpdate(CUgraphExec hGraphExec, CUgraph hGraph, CUgraphExecUpdateResultInfo *resultInfo) {
    LOCKED(exec_update(hGraphExec, hGraph, resultInfo));
}

/* ---- launch ---- */
static CUresult run_graph(CUgraph g);

static CUresult run_conditional(CUgraphNode n) {
    CUDA_CONDITIONAL_NODE_PARAMS *c = &n->p.conditional;
    struct cond *h = cond_find(c->handle);
    /* kernels cannot set the value here, so it is the default or 0, and a WHILE body runs once */
    unsigned v = h && (h->flags & CU_GRAPH_COND_ASSIGN_DEFAULT) ? h->dflt : 0;
    CUgraph body = NULL;
    if (c->type == CU_GRAPH_COND_TYPE_IF) body = v ? c->phGraph_out[0] : c->size == 2 ? c->phGraph_out[1] : NULL;
    else if (c->type == CU_GRAPH_COND_TYPE_WHILE) body = v ? c->phGraph_out[0] : NULL;
    else body = v < c->size ? c->phGraph_out[v] : NULL;
    return body ? run_graph(body) : CUDA_SUCCESS;
}
static CUresult run_node(CUgraphNode n) {
    CUgraphNodeParams *p = &n->p;
    switch (n->type) {
    case CU_GRAPH_NODE_TYPE_MEMCPY: return emu_do_memcpy3d(&p->memcpy.copyParams);
    case CU_GRAPH_NODE_TYPE_MEMSET:
        return emu_do_memset(p->memset.dst, p->memset.pitch, p->memset.value, p->memset.elementSize, p->memset.width,
                             p->memset.height);
    case CU_GRAPH_NODE_TYPE_HOST:
        /* the callback may take locks of its own (Python's): it runs without ours */
        pthread_mutex_unlock(&emu_lock);
        p->host.fn(p->host.userData);
        pthread_mutex_lock(&emu_lock);
        return CUDA_SUCCESS;
    case CU_GRAPH_NODE_TYPE_GRAPH: return run_graph(p->graph.graph);
    case CU_GRAPH_NODE_TYPE_EVENT_RECORD: {
        CUevent e = p->eventRecord.event;
        if (!emu_valid(e, TAG_EVENT)) return CUDA_ERROR_INVALID_HANDLE;
        e->recorded = 1;
        e->ms = emu_now_ms();
        free(e->cap_deps); /* recorded by work now, not by a capture */
        e->cap_deps = NULL;
        e->cap_ndeps = 0;
        e->cap_graph = NULL;
        return CUDA_SUCCESS;
    }
    case CU_GRAPH_NODE_TYPE_MEM_ALLOC: {
        struct gmem *m = n->mem;
        if (!gmem_present(m)) { /* the user freed it since: new memory */
            CUresult r = gmem_map(m);
            if (r) return r;
        }
        m->live = 1;
        p->alloc.dptr = m->p;
        gmem_stats(NULL, NULL); /* the high-water marks see it before a free node runs */
        return CUDA_SUCCESS;
    }
    case CU_GRAPH_NODE_TYPE_MEM_FREE: return gmem_free(p->free.dptr);
    case CU_GRAPH_NODE_TYPE_CONDITIONAL: return run_conditional(n);
    default: return CUDA_SUCCESS; /* kernels (no-ops here), empty, event wait, batch memops */
    }
}
static CUresult run_graph(CUgraph g) {
    CUgraphNode *order = topo_order(g);
    CUresult r = order ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; order && !r && i < g->nnodes; i++)
        if (!order[i]->disabled) r = run_node(order[i]);
    free(order);
    return r;
}
/* Memory a previous launch allocated and nothing freed: freed first with AUTO_FREE_ON_LAUNCH,
   an error otherwise. */
static CUresult check_allocs(CUgraph g, int auto_free) {
    for (size_t i = 0; i < g->nnodes; i++) {
        CUgraphNode n = g->nodes[i];
        CUresult r = CUDA_SUCCESS;
        if (n->type == CU_GRAPH_NODE_TYPE_MEM_ALLOC && n->mem->live) {
            if (!gmem_present(n->mem) || auto_free) n->mem->live = 0;
            else return CUDA_ERROR_INVALID_VALUE;
        }
        if (n->type == CU_GRAPH_NODE_TYPE_GRAPH) r = check_allocs(n->p.graph.graph, auto_free);
        for (unsigned k = 0; !r && n->type == CU_GRAPH_NODE_TYPE_CONDITIONAL && k < n->p.conditional.size; k++)
            r = check_allocs(n->p.conditional.phGraph_out[k], auto_free);
        if (r) return r;
    }
    return CUDA_SUCCESS;
}
static CUresult launch(CUgraphExec e, CUstream s) {
    if (!emu_valid(e, TAG_EXEC)) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (emu_capturing(s)) { /* captured as a child graph node holding a copy of the snapshot */
        int captured;
        GENERIC(CU_GRAPH_NODE_TYPE_GRAPH);
        gp.graph.graph = e->g;
        return emu_capture_node(s, &gp, &captured);
    }
    r = check_allocs(e->g, (e->flags & CUDA_GRAPH_INSTANTIATE_FLAG_AUTO_FREE_ON_LAUNCH) != 0);
    if (!r) r = run_graph(e->g);
    gmem_stats(NULL, NULL);
    return r;
}
CUresult CUDAAPI cuGraphLaunch(CUgraphExec hGraphExec, CUstream hStream) { LOCKED(launch(hGraphExec, hStream)); }
static CUresult upload(CUgraphExec e, CUstream s) {
    return emu_valid(e, TAG_EXEC) ? emu_stream_check(&s) : CUDA_ERROR_INVALID_VALUE;
}
CUresult CUDAAPI cuGraphUpload(CUgraphExec hGraphExec, CUstream hStream) { LOCKED(upload(hGraphExec, hStream)); }

/* ---- user objects ---- */
static CUresult uo_create(CUuserObject *out, void *ptr, CUhostFn destroy, unsigned refs, unsigned flags) {
    if (!out || !destroy || !refs || refs > INT_MAX || flags != CU_USER_OBJECT_NO_DESTRUCTOR_SYNC)
        return CUDA_ERROR_INVALID_VALUE;
    CUuserObject uo = emu_calloc(1, sizeof *uo);
    *uo = (struct CUuserObject_st){TAG_USEROBJ, ptr, destroy, refs};
    *out = uo;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuUserObjectCreate(CUuserObject *object_out, void *ptr, CUhostFn destroy, unsigned int initialRefcount,
                                    unsigned int flags) {
    LOCKED(uo_create(object_out, ptr, destroy, initialRefcount, flags));
}
#define UO_COUNT_OK(uo, n) (emu_valid(uo, TAG_USEROBJ) && (n) && (n) <= INT_MAX)
CUresult CUDAAPI cuUserObjectRetain(CUuserObject object, unsigned int count) {
    LOCKED(UO_COUNT_OK(object, count) ? (object->refs += count, CUDA_SUCCESS) : CUDA_ERROR_INVALID_VALUE);
}
CUresult CUDAAPI cuUserObjectRelease(CUuserObject object, unsigned int count) {
    LOCKED(UO_COUNT_OK(object, count) ? (uo_unref(object, count), CUDA_SUCCESS) : CUDA_ERROR_INVALID_VALUE);
}
static CUresult graph_retain_uo(CUgraph g, CUuserObject uo, unsigned count, unsigned flags) {
    if (!graph_ok(g) || !UO_COUNT_OK(uo, count) || (flags & ~CU_GRAPH_USER_OBJECT_MOVE)) return CUDA_ERROR_INVALID_VALUE;
    if (!(flags & CU_GRAPH_USER_OBJECT_MOVE)) uo->refs += count; /* MOVE: the caller's references pass over */
    graph_add_ref(g, uo, count);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphRetainUserObject(CUgraph graph, CUuserObject object, unsigned int count, unsigned int flags) {
    LOCKED(graph_retain_uo(graph, object, count, flags));
}
static CUresult graph_release_uo(CUgraph g, CUuserObject uo, unsigned count) {
    if (!graph_ok(g) || !UO_COUNT_OK(uo, count)) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < g->nrefs; i++) {
        if (g->refs[i].uo != uo) continue;
        if (g->refs[i].count < count) return CUDA_ERROR_INVALID_VALUE;
        if (!(g->refs[i].count -= count)) g->refs[i] = g->refs[--g->nrefs];
        uo_unref(uo, count);
        return CUDA_SUCCESS;
    }
    return CUDA_ERROR_INVALID_VALUE;
}
CUresult CUDAAPI cuGraphReleaseUserObject(CUgraph graph, CUuserObject object, unsigned int count) {
    LOCKED(graph_release_uo(graph, object, count));
}

/* ---- stream capture. A capture sequence is known by its id: the stream that began it, the
   thread (for the non-relaxed modes), and the streams that joined it through events. A
   stream's dependencies are one block: the nodes, then their edge data. ---- */
struct capseq {
    unsigned long long id;
    CUstream origin;
    CUstreamCaptureMode mode;
    pthread_t thread;
    CUstream *joined;
    size_t njoined;
};
static struct capseq *seqs;
static size_t nseqs, capseqs;

static struct capseq *seq_find(unsigned long long id) {
    for (size_t i = 0; i < nseqs; i++)
        if (seqs[i].id == id) return &seqs[i];
    return NULL;
}
static CUgraphEdgeData *cap_edge_data(CUstream s) { return (CUgraphEdgeData *)(s->cap.deps + s->cap.ndeps); }
static void set_deps(CUstream s, const CUgraphNode *deps, const CUgraphEdgeData *data, size_t n) {
    CUgraphNode *block = emu_calloc(1, n * (sizeof *deps + sizeof *data));
    if (n) memcpy(block, deps, n * sizeof *deps);
    if (n && data) memcpy(block + n, data, n * sizeof *data);
    free(s->cap.deps);
    s->cap.deps = block;
    s->cap.ndeps = n;
}
/* The dependencies plus those of `more` not already there. */
static void merge_deps(CUstream s, const CUgraphNode *more, const CUgraphEdgeData *data, size_t n) {
    size_t k = s->cap.ndeps;
    CUgraphNode *nodes = emu_calloc(k + n, sizeof *nodes);
    CUgraphEdgeData *ed = emu_calloc(k + n, sizeof *ed);
    if (k) { memcpy(nodes, s->cap.deps, k * sizeof *nodes); memcpy(ed, cap_edge_data(s), k * sizeof *ed); }
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < k && nodes[j] != more[i]) j++;
        if (j < k) continue;
        nodes[k] = more[i];
        if (data) ed[k] = data[i];
        k++;
    }
    set_deps(s, nodes, ed, k);
    free(nodes);
    free(ed);
}
static void cap_reset(CUstream s) {
    free(s->cap.deps);
    memset(&s->cap, 0, sizeof s->cap);
}
/* The legacy stream cannot be used while a blocking stream of its context captures. */
static int implicit_conflict(CUstream s) {
    for (size_t i = 0; i < nseqs; i++)
        for (size_t j = 0; j <= seqs[i].njoined; j++) {
            CUstream t = j ? seqs[i].joined[j - 1] : seqs[i].origin;
            if (is_stream(t) && t->cap.id == seqs[i].id && t->ctx == s->ctx && !(t->flags & CU_STREAM_NON_BLOCKING))
                return 1;
        }
    return 0;
}

static CUresult begin_capture(CUstream s, CUgraph g, const CUgraphNode *deps, const CUgraphEdgeData *data, size_t n,
                              CUstreamCaptureMode mode) {
    if (!s || s == CU_STREAM_LEGACY || s == CU_STREAM_PER_THREAD) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if ((unsigned)mode > CU_STREAM_CAPTURE_MODE_RELAXED) return CUDA_ERROR_INVALID_VALUE;
    if (g && (!graph_ok(g) || check_deps(g, deps, data, n))) return CUDA_ERROR_INVALID_VALUE;
    if (s->cap.status != CU_STREAM_CAPTURE_STATUS_NONE) return CUDA_ERROR_ILLEGAL_STATE;
    s->cap.status = CU_STREAM_CAPTURE_STATUS_ACTIVE;
    s->cap.mode = mode;
    s->cap.owns_graph = !g;
    s->cap.graph = g ? g : graph_new(0);
    s->cap.id = emu_next_id();
    set_deps(s, deps, data, g ? n : 0);
    grow((void **)&seqs, &capseqs, nseqs + 1, sizeof *seqs);
    seqs[nseqs++] = (struct capseq){s->cap.id, s, mode, pthread_self(), NULL, 0};
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamBeginCapture(CUstream hStream, CUstreamCaptureMode mode) {
    LOCKED(begin_capture(hStream, NULL, NULL, NULL, 0, mode));
}
CUresult CUDAAPI cuStreamBeginCaptureToGraph(CUstream hStream, CUgraph hGraph, const CUgraphNode *dependencies,
                                             const CUgraphEdgeData *dependencyData, size_t numDependencies,
                                             CUstreamCaptureMode mode) {
    if (!hGraph) return CUDA_ERROR_INVALID_VALUE;
    LOCKED(begin_capture(hStream, hGraph, dependencies, dependencyData, numDependencies, mode));
}

static CUresult end_capture(CUstream s, CUgraph *out) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!out) return CUDA_ERROR_INVALID_VALUE;
    if (s->cap.status == CU_STREAM_CAPTURE_STATUS_NONE) return CUDA_ERROR_ILLEGAL_STATE;
    struct capseq *q = seq_find(s->cap.id);
    if (!q || q->origin != s) return CUDA_ERROR_STREAM_CAPTURE_UNMATCHED;
    if (s->cap.mode != CU_STREAM_CAPTURE_MODE_RELAXED && !pthread_equal(q->thread, pthread_self()))
        return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
    *out = s->cap.graph;
    if (s->cap.status == CU_STREAM_CAPTURE_STATUS_INVALIDATED) {
        if (s->cap.owns_graph) graph_destroy(s->cap.graph);
        *out = NULL;
        r = CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    }
    for (size_t j = 0; j < q->njoined; j++) /* streams that joined leave the capture with it */
        if (is_stream(q->joined[j]) && q->joined[j]->cap.id == q->id) cap_reset(q->joined[j]);
    free(q->joined);
    *q = seqs[--nseqs];
    cap_reset(s);
    return r;
}
CUresult CUDAAPI cuStreamEndCapture(CUstream hStream, CUgraph *phGraph) { LOCKED(end_capture(hStream, phGraph)); }

static CUresult capture_info(CUstream s, CUstreamCaptureStatus *status, cuuint64_t *id, CUgraph *graph,
                             const CUgraphNode **deps, const CUgraphEdgeData **data, size_t *n) {
    int legacy = !s || s == CU_STREAM_LEGACY;
    if (!status || (data && !deps)) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (legacy && implicit_conflict(s)) return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    *status = s->cap.status;
    if (s->cap.status != CU_STREAM_CAPTURE_STATUS_ACTIVE) return CUDA_SUCCESS;
    if (deps && !data)
        for (size_t i = 0; i < s->cap.ndeps; i++)
            if (!edge_data_zero(&cap_edge_data(s)[i])) return CUDA_ERROR_LOSSY_QUERY;
    if (id) *id = s->cap.id;
    if (graph) *graph = s->cap.graph;
    if (deps) *deps = s->cap.deps;
    if (data) *data = cap_edge_data(s);
    if (n) *n = s->cap.ndeps;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetCaptureInfo(CUstream hStream, CUstreamCaptureStatus *captureStatus_out, cuuint64_t *id_out,
                                        CUgraph *graph_out, const CUgraphNode **dependencies_out,
                                        const CUgraphEdgeData **edgeData_out, size_t *numDependencies_out) {
    LOCKED(capture_info(hStream, captureStatus_out, id_out, graph_out, dependencies_out, edgeData_out,
                        numDependencies_out));
}
CUresult CUDAAPI cuStreamIsCapturing(CUstream hStream, CUstreamCaptureStatus *captureStatus) {
    LOCKED(capture_info(hStream, captureStatus, NULL, NULL, NULL, NULL, NULL));
}

static CUresult update_capture_deps(CUstream s, CUgraphNode *deps, const CUgraphEdgeData *data, size_t n,
                                    unsigned flags) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (flags > CU_STREAM_SET_CAPTURE_DEPENDENCIES) return CUDA_ERROR_INVALID_VALUE;
    if (s->cap.status != CU_STREAM_CAPTURE_STATUS_ACTIVE) return CUDA_ERROR_ILLEGAL_STATE;
    if ((r = check_deps(s->cap.graph, deps, data, n))) return r;
    if (flags == CU_STREAM_SET_CAPTURE_DEPENDENCIES) set_deps(s, deps, data, n);
    else merge_deps(s, deps, data, n);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamUpdateCaptureDependencies(CUstream hStream, CUgraphNode *dependencies,
                                                   const CUgraphEdgeData *dependencyData, size_t numDependencies,
                                                   unsigned int flags) {
    LOCKED(update_capture_deps(hStream, dependencies, dependencyData, numDependencies, flags));
}

CUresult CUDAAPI cuThreadExchangeStreamCaptureMode(CUstreamCaptureMode *mode) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!mode || (unsigned)*mode > CU_STREAM_CAPTURE_MODE_RELAXED) return CUDA_ERROR_INVALID_VALUE;
    CUstreamCaptureMode old = thread_mode;
    thread_mode = *mode;
    *mode = old;
    return CUDA_SUCCESS;
}

/* ---- hooks for the other files (see cpu_driver.h) ---- */
int emu_capturing(CUstream s) {
    pthread_mutex_lock(&emu_lock);
    int on = is_stream(s) && s->cap.status != CU_STREAM_CAPTURE_STATUS_NONE;
    pthread_mutex_unlock(&emu_lock);
    return on;
}
CUresult emu_capture_node(CUstream s, CUgraphNodeParams *params, int *captured) {
    CUresult r = CUDA_SUCCESS;
    CUgraphNode n;
    if (captured) *captured = 0;
    pthread_mutex_lock(&emu_lock);
    if (is_stream(s) && s->cap.status != CU_STREAM_CAPTURE_STATUS_NONE) {
        if (captured) *captured = 1;
        if (s->cap.status != CU_STREAM_CAPTURE_STATUS_ACTIVE) r = CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
        else if (!(r = add_node(&n, s->cap.graph, s->cap.deps, cap_edge_data(s), s->cap.ndeps, params)))
            set_deps(s, &n, NULL, 1);
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult emu_capture_event_record(CUstream s, CUevent e, int *captured) {
    if (captured) *captured = 0;
    if (!emu_valid(e, TAG_EVENT)) return CUDA_ERROR_INVALID_HANDLE;
    pthread_mutex_lock(&emu_lock);
    free(e->cap_deps);
    e->cap_deps = NULL;
    e->cap_ndeps = 0;
    e->cap_graph = NULL;
    if (is_stream(s) && s->cap.status == CU_STREAM_CAPTURE_STATUS_ACTIVE) {
        e->cap_deps = emu_calloc(s->cap.ndeps, sizeof *e->cap_deps);
        if (s->cap.ndeps) memcpy(e->cap_deps, s->cap.deps, s->cap.ndeps * sizeof *e->cap_deps);
        e->cap_ndeps = s->cap.ndeps;
        e->cap_graph = s->cap.graph;
        e->cap_id = s->cap.id;
        if (captured) *captured = 1;
    }
    pthread_mutex_unlock(&emu_lock);
    return CUDA_SUCCESS;
}
CUresult emu_capture_wait_event(CUstream s, CUevent e, int *captured) {
    CUresult r = CUDA_SUCCESS;
    if (captured) *captured = 0;
    if (!emu_valid(e, TAG_EVENT)) return CUDA_ERROR_INVALID_HANDLE;
    pthread_mutex_lock(&emu_lock);
    struct capseq *q = e->cap_graph ? seq_find(e->cap_id) : NULL; /* NULL: that capture has ended */
    if (q && is_stream(s)) {
        if (captured) *captured = 1;
        if (s->cap.status == CU_STREAM_CAPTURE_STATUS_NONE) { /* s joins the capture */
            s->cap.status = CU_STREAM_CAPTURE_STATUS_ACTIVE;
            s->cap.mode = q->mode;
            s->cap.graph = e->cap_graph;
            s->cap.id = e->cap_id;
            s->cap.owns_graph = 0;
            set_deps(s, e->cap_deps, NULL, e->cap_ndeps);
            q->joined = realloc(q->joined, (q->njoined + 1) * sizeof *q->joined);
            if (!q->joined) abort();
            q->joined[q->njoined++] = s;
        } else if (s->cap.id == e->cap_id) {
            merge_deps(s, e->cap_deps, NULL, e->cap_ndeps);
        } else {
            r = CUDA_ERROR_STREAM_CAPTURE_ISOLATION; /* two captures cannot be merged */
        }
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}

/* ---- graph memory attributes ---- */
static CUresult graph_mem_attr(CUdevice dev, CUgraphMem_attribute attr, cuuint64_t *value, int set) {
    cuuint64_t used, reserved;
    if (dev < 0 || dev >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    gmem_stats(&used, &reserved);
    if (set) { /* only the high-water marks, and only back to the current level */
        if (*value) return CUDA_ERROR_INVALID_VALUE;
        if (attr == CU_GRAPH_MEM_ATTR_USED_MEM_HIGH) used_high = used;
        else if (attr == CU_GRAPH_MEM_ATTR_RESERVED_MEM_HIGH) reserved_high = reserved;
        else return CUDA_ERROR_INVALID_VALUE;
        return CUDA_SUCCESS;
    }
    switch (attr) {
    case CU_GRAPH_MEM_ATTR_USED_MEM_CURRENT: *value = used; break;
    case CU_GRAPH_MEM_ATTR_USED_MEM_HIGH: *value = used_high; break;
    case CU_GRAPH_MEM_ATTR_RESERVED_MEM_CURRENT: *value = reserved; break;
    case CU_GRAPH_MEM_ATTR_RESERVED_MEM_HIGH: *value = reserved_high; break;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetGraphMemAttribute(CUdevice device, CUgraphMem_attribute attr, void *value) {
    LOCKED(graph_mem_attr(device, attr, value, 0));
}
CUresult CUDAAPI cuDeviceSetGraphMemAttribute(CUdevice device, CUgraphMem_attribute attr, void *value) {
    LOCKED(graph_mem_attr(device, attr, value, 1));
}
CUresult CUDAAPI cuDeviceGraphMemTrim(CUdevice device) {
    LOCKED(device < 0 || device >= EMU_DEVICE_COUNT ? CUDA_ERROR_INVALID_DEVICE : CUDA_SUCCESS);
}
