#pragma once
// How busy the machine is, for the engine's thread pool: from the number of runnable tasks
// (Linux: /proc/loadavg), whether a helper thread would find a processor of its own.
#include <algorithm>

namespace vitscope {

enum class MachineLoad {
    room,          // at least one processor is free for a helper
    no_free_core,  // the caller has a processor, but a helper would share one with another task
    full,          // other tasks already fill every processor: the caller too shares one
};

// One look: `running` tasks runnable on the whole machine, counting the caller and our
// `awake_helpers`; `processors` the processors we may run on. `running` < 0 (unknown): room.
inline MachineLoad machine_load_of(int running, int awake_helpers, int processors) {
    if (running < 0) return MachineLoad::room;
    const int others = running - 1 - awake_helpers;
    if (others >= processors) return MachineLoad::full;
    if (others >= std::max(1, processors - 1)) return MachineLoad::no_free_core;
    return MachineLoad::room;
}

// The pool's judgement: the lesser of the last two looks, so a task seen once (an interrupt's
// worker, a short-lived process on a quiet machine) changes nothing, while a look with room
// ends a busy spell at once.
class MachineLoadLooks {
public:
    MachineLoad look(MachineLoad now) {
        const MachineLoad judged = std::min(now, last_);
        last_ = now;
        return judged;
    }
    void forget() { last_ = MachineLoad::room; }

private:
    MachineLoad last_ = MachineLoad::room;
};

// Tasks runnable on the whole machine right now, the caller included (Linux: the 4th field of
// /proc/loadavg, "runnable/total"); -1 when unknown.
int runnable_tasks();

}  // namespace vitscope
