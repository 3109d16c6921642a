#include "machine_load.h"

#include <cstdio>

#if defined(__linux__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace vitscope {

int runnable_tasks() {
#if defined(__linux__)
    const int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char text[128];
    const ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = '\0';
    double avg1 = 0, avg5 = 0, avg15 = 0;
    int running = 0, total = 0;
    if (std::sscanf(text, "%lf %lf %lf %d/%d", &avg1, &avg5, &avg15, &running, &total) != 5) return -1;
    return running;
#else
    return -1;
#endif
}

}  // namespace vitscope
