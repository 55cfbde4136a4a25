// The llmgraph shim's RPC part (see llmgraph_shim.c): this process's connections to ggml RPC servers.

#define _GNU_SOURCE  // POLLRDHUP
#include <arpa/inet.h>
#include <dirent.h>
#include <linux/tcp.h>  // its tcp_info has the byte and segment counters; glibc's has not
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "shim_internal.h"

// ---- RPC connections --------------------------------------------------------------------------------

// ggml's RPC client aborts the process when a server it is connected to has gone, on the next message it sends.
// These look, without sending anything, at this process's TCP connections to a server at ip:port (numeric, as
// inet_ntop writes it): between two messages a server sends nothing, so a connection that can be read from has
// been closed or reset by the server.

// Whether socket fd is connected to ip:port.
static int peer_is(int fd, const char * ip, int32_t port) {
    struct sockaddr_storage peer;
    socklen_t length = sizeof peer;
    if (getpeername(fd, (struct sockaddr *) &peer, &length) != 0) {
        return 0;
    }
    char text[INET6_ADDRSTRLEN];
    int peer_port;
    if (peer.ss_family == AF_INET) {
        struct sockaddr_in * v4 = (struct sockaddr_in *) &peer;
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        peer_port = ntohs(v4->sin_port);
    } else if (peer.ss_family == AF_INET6) {
        struct sockaddr_in6 * v6 = (struct sockaddr_in6 *) &peer;
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        peer_port = ntohs(v6->sin6_port);
    } else {
        return 0;
    }
    return peer_port == port && strcmp(text, ip) == 0;
}

// Whether the other end has closed or reset connection fd (it has something to read: an end of file or an error).
static int closed_by_peer(int fd) {
    struct pollfd watch = { .fd = fd, .events = POLLIN | POLLRDHUP };
    return poll(&watch, 1, 0) > 0 && (watch.revents & (POLLIN | POLLRDHUP | POLLHUP | POLLERR));
}

// Looks through every open file of this process (/proc/self/fd) for connections to ip:port. Returns how many
// there are, or -1 when the server has closed one of them. first_fd (when non-NULL) receives the first one's
// descriptor, for llmgraph_rpc_watch. With counters non-NULL, adds each connection's bytes sent (acknowledged) and
// received and its segments out and in (the kernel's TCP_INFO) to counters[0..3].
int32_t llmgraph_rpc_connections(const char * ip, int32_t port, int64_t * counters, int32_t * first_fd) {
    DIR * dir = opendir("/proc/self/fd");
    if (dir == NULL) {
        set_error("cannot list /proc/self/fd to find the RPC connections");
        return -2;
    }
    int32_t open = 0;
    int closed = 0;
    struct dirent * entry;
    while ((entry = readdir(dir)) != NULL) {
        char * end;
        long fd = strtol(entry->d_name, &end, 10);
        struct stat st;
        if (*end != '\0' || fd == dirfd(dir) || fstat((int) fd, &st) != 0 || !S_ISSOCK(st.st_mode)
                || !peer_is((int) fd, ip, port)) {
            continue;
        }
        closed |= closed_by_peer((int) fd);
        if (open == 0 && first_fd != NULL) {
            *first_fd = (int32_t) fd;
        }
        open++;
        if (counters != NULL) {
            struct tcp_info info;
            socklen_t info_length = sizeof info;
            if (getsockopt((int) fd, IPPROTO_TCP, TCP_INFO, &info, &info_length) == 0) {
                counters[0] += (int64_t) info.tcpi_bytes_acked;
                counters[1] += (int64_t) info.tcpi_bytes_received;
                counters[2] += (int64_t) info.tcpi_segs_out;
                counters[3] += (int64_t) info.tcpi_segs_in;
            }
        }
    }
    closedir(dir);
    return closed ? -1 : open;
}

// One connection found by llmgraph_rpc_connections, looked at again (a poll, microseconds): 1 while it is open, -1
// once the server has closed it, 0 when fd is no longer a connection to ip:port (closed here and maybe reused).
int32_t llmgraph_rpc_watch(int32_t fd, const char * ip, int32_t port) {
    if (!peer_is(fd, ip, port)) {
        return 0;
    }
    return closed_by_peer(fd) ? -1 : 1;
}
