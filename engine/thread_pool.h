// The engine's own threads: one pool shared by every parallel loop of a forward pass (the matrix
// products, the attention work items, LayerNorm), instead of OpenMP.
//
// Why our own: a lecturer's laptop is never quiet. OpenMP's teams split work statically and spin
// between loops, so one thread preempted by a browser stalls every loop of the pass (measured: a
// DeiT-Tiny pass 14 ms quiet, 165-300 ms beside one busy process on 2 cores), and its passive mode
// costs +45% on a quiet machine (every loop waits for a sleeping thread to wake up). Here:
//   - each thread (the caller included) takes the items of its own contiguous share one at a time
//     (neighbouring items share a weight panel or a head, so they stay in that core's cache), then
//     steals the others' remaining items from the back: a thread that is not running simply does
//     fewer items, and a preempted one delays the loop by at most the item it holds;
//   - helpers spin only briefly after a loop (the next one usually starts within microseconds),
//     then sleep, so an idle engine costs nothing and a woken helper gets the CPU back quickly;
//   - the pool measures itself: when the caller waits for a helper that was preempted in the middle
//     of an item, or the caller itself only gets part of a core, or the helpers hardly get to run
//     (under a fifth of their share of the items), twice within 100 ms, the machine is
//     oversubscribed and the pool runs loops on the calling thread alone for a while (20 ms,
//     doubling on each confirmed sign while retrying, up to a second), then tries its helpers again;
//     meanwhile loops that take the caller 3 ms of CPU or more alone (as measured last time for the
//     same loop body and item count) still use the helpers, whose share then outweighs a stall;
//   - on Linux it also looks (every 20 ms, /proc/loadavg; machine_load.h, two looks in a row decide)
//     how many other tasks are runnable: while they leave no processor free for a helper, short
//     loops run alone as in a solo period; while they already fill every processor, every loop runs
//     alone without waking the helpers at all, as a single thread would: woken helpers only queue
//     behind those tasks, and their wake-ups let the scheduler move a co-runner onto the caller's core.
// Results never depend on the thread count or the schedule: every item writes its own outputs, and
// sums across items are integers.
#pragma once

#include <cstdint>
#include <type_traits>

namespace vitscope {

// Threads a forward pass may use, the calling thread included. <= 0: every processor.
void set_engine_threads(int threads);
int engine_threads();

// Whether the pool adapts its team to the load (the default), or always uses every thread it has
// (a fixed team: for benchmarks that compare schedules, and tests).
void set_engine_thread_adaptation(bool adaptive);
bool engine_thread_adaptation();

// Whether the adaptive pool looks at the machine's runnable tasks (the default; tests of the other
// signs of load turn it off, so that a busy test machine does not keep their loops alone).
void set_engine_machine_check(bool on);

// The scheduling priority (Linux nice value, 0..19) of the pool's helper threads, for front ends
// that keep their UI thread ahead of the engine. The calling thread's own priority is the caller's.
void set_engine_helper_nice(int nice);

// The nice value (0..19) of the calling thread alone (Linux: nice is per thread; elsewhere nothing).
void set_calling_thread_nice(int nice);

// Runs run(context, item, slot) for every item in [0, items), spread over the engine's threads;
// returns when every item has finished. `slot` is in [0, engine_threads()): the index of the
// thread running the item (0 = the caller), for per-thread scratch space. Inside an item, a nested
// parallel_for runs on that thread alone. Items must not throw.
void parallel_for_items(int items, void (*run)(void* context, int item, int slot), void* context);

template <class Body>
void parallel_for(int items, Body&& body) {
    using B = std::remove_reference_t<Body>;
    parallel_for_items(items, [](void* c, int item, int slot) { (*static_cast<B*>(c))(item, slot); },
                       const_cast<void*>(static_cast<const void*>(&body)));
}

// What the pool did since the last reset (benchmarks print it; tests check the schedule).
struct EngineThreadStats {
    int64_t loops = 0;          // parallel_for calls with more than one item
    int64_t shared_loops = 0;   // ... run with helpers
    int64_t items = 0;          // items of all loops
    int64_t helper_items = 0;   // ... run by helper threads
    int64_t stalls = 0;         // shared loops whose caller waited long for a preempted helper
    int64_t load_signs = 0;     // stalls, and 5 ms windows where the caller got under 80% of a core or
                                // the helpers did under a fifth of their share of the items
    int64_t solo_periods = 0;   // times the pool switched to the caller alone
    int64_t full_machine_loops = 0;  // loops run alone because other tasks filled every processor
    int64_t no_free_core_loops = 0;  // ... because they left no processor free for a helper (short loops)
    double stall_ms = 0;        // time callers spent waiting for helpers after their own last item
};
EngineThreadStats engine_thread_stats();
void reset_engine_thread_stats();

}  // namespace vitscope
