#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#include <libpq-fe.h>
#ifdef __linux__
// The PQ module waits on libpq's sockets with epoll; Glibc's Swift module does not export it.
#include <sys/epoll.h>
#endif
#endif
