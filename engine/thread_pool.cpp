#include "thread_pool.h"

#include "machine_load.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace vitscope {
namespace {

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// CPU time of the calling thread: less than the wall time when it was preempted.
int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

int available_processors() {
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
#endif
    return std::max(1, int(std::thread::hardware_concurrency()));
}

// OMP_NUM_THREADS when set (it also bounds OpenBLAS, which the analyses use), else every processor.
int default_threads() {
    if (const char* env = std::getenv("OMP_NUM_THREADS")) {
        const int n = std::atoi(env);
        if (n > 0) return n;
    }
    return available_processors();
}

// Each thread's share of a loop is a range of items in one atomic word, so that a claim can never
// mix two loops: generation (16 bits) | first unclaimed item (24 bits) | end (24 bits). A thread
// takes items from the front of its own range (consecutive items: the same matrix panel or the
// same head stay in its cache) and, when that is empty, steals one at a time from the back of the
// others' (a preempted thread's share is done by the rest).
constexpr int kItemBits = 24;
constexpr uint64_t kItemMask = (uint64_t(1) << kItemBits) - 1;
constexpr uint32_t kGenerationMask = (uint32_t(1) << 16) - 1;
uint64_t range_word(uint32_t generation, uint64_t begin, uint64_t end) {
    return uint64_t(generation) << (2 * kItemBits) | begin << kItemBits | end;
}
uint32_t generation_of(uint64_t w) { return uint32_t(w >> (2 * kItemBits)); }
int begin_of(uint64_t w) { return int((w >> kItemBits) & kItemMask); }
int end_of(uint64_t w) { return int(w & kItemMask); }

struct alignas(64) ItemRange {  // one cache line each: claims by different threads do not collide
    std::atomic<uint64_t> word{0};
};

// Measured on a 2-core KVM guest (DeiT-Tiny): loops of a pass start a few microseconds apart, and
// waking a sleeping thread takes 30-80 us; a preempted helper is back after a scheduler slice (ms).
constexpr int64_t kHelperSpinNs = 100'000;          // a helper waits this long for the next loop, then sleeps
constexpr int64_t kCallerSpinNs = 20'000;           // the caller spins this long for helpers, then yields
constexpr int64_t kStallNs = 1'000'000;             // a wait this long for a helper's item: it was preempted
constexpr int64_t kShareWindowNs = 5'000'000;       // the caller's share of a core is judged over this much
constexpr double kLowShare = 0.8;                   // ... and below this the machine is oversubscribed
constexpr double kLowHelperShare = 0.2;             // helpers doing under 20% of their fair share: the same
constexpr int64_t kConfirmNs = 100'000'000;         // two signs this close together mean load
constexpr int64_t kFirstSoloNs = 20'000'000;        // caller alone this long after the first sign of load
constexpr int64_t kMaxSoloNs = 1'000'000'000;       // ... doubling on each sign seen while retrying
constexpr int64_t kCalmNs = 500'000'000;            // no sign this long: the next sign starts again at kFirstSoloNs
// A loop that takes the caller this much CPU time alone still uses the helpers during a solo period
// and while no processor is free for a helper (but not on a full machine, see machine_load): a
// helper given half a core saves more than a stall (a scheduler slice) costs. Measured before the
// machine check, beside two busy co-runners on 2 cores, ViT-B (products of 4-6 ms) took 290-340 ms
// per pass running alone and 216-230 ms with its long loops shared (3 of 4 rounds); beside one, 212
// against 225 alone (medians of 6 rounds, 1 thread 215). DeiT-Tiny/Small's loops are all under 1.5 ms.
constexpr int64_t kLongLoopNs = 3'000'000;
constexpr int64_t kMachineLookNs = 20'000'000;      // how often the pool looks at the machine's load

using RunItem = void (*)(void*, int, int);

class Pool {
public:
    // Never destroyed: a loop may still run on another thread while the program exits; the helpers
    // end with the process.
    static Pool& instance() {
        static Pool* pool = new Pool;
        return *pool;
    }

    void set_threads(int threads) {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        const int t = threads > 0 ? threads : default_threads();
        if (t == threads_) return;
        stop_helpers();
        threads_ = t;
    }
    int threads() const { return threads_.load(std::memory_order_relaxed); }

    void set_adaptive(bool adaptive) {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        adaptive_ = adaptive;
        solo_until_ = 0;
        solo_length_ = kFirstSoloNs;
        last_sign_ = -kCalmNs;  // signs seen before do not count
        forget_machine_look();
        window_wall_ = window_cpu_ = window_items_ = window_helper_items_ = 0;
    }
    bool adaptive() {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        return adaptive_;
    }

    void set_machine_check(bool on) {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        machine_check_ = on;
        forget_machine_look();
    }

    void set_helper_nice(int nice) {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        const int n = std::clamp(nice, 0, 19);
        if (n == helper_nice_) return;  // front ends ask before every job
        helper_nice_ = n;
#if defined(__linux__)
        for (const std::atomic<int>& tid : helper_tids_)
            if (int id = tid.load()) setpriority(PRIO_PROCESS, id_t(id), helper_nice_);
#endif
    }

    EngineThreadStats stats() {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        EngineThreadStats s = stats_;
        s.helper_items = helper_items_.load(std::memory_order_relaxed);
        return s;
    }
    void reset_stats() {
        std::lock_guard<std::mutex> lock(loop_mutex_);
        stats_ = {};
        helper_items_.store(0, std::memory_order_relaxed);
    }

    // Runs a loop with the helpers when no other thread's loop is running, else alone. `site`
    // identifies the loop in the program (its body), for the estimate of how long it takes alone.
    void run(int items, RunItem run_item, void* context, RunItem site) {
        std::unique_lock<std::mutex> lock(loop_mutex_, std::try_to_lock);
        if (!lock.owns_lock()) {
            run_alone(items, run_item, context);
            return;
        }
        ++stats_.loops;
        stats_.items += items;
        const int64_t t0 = now_ns();
        LoopSite& estimate = loop_site(site, items);
        if (threads_ <= 1) {
            run_alone(items, run_item, context);
            return;
        }
        // Alone while other tasks fill the machine (long loops too: beside two busy co-runners,
        // sharing ViT-B's products then gave 193-344 ms per pass, median 296, against 269 on one
        // thread); while they leave no processor free for a helper, and during a solo period, except
        // for long loops (beside one co-runner DeiT-Tiny's short loops shared took 18.1 ms per pass,
        // alone 17.5, on 1 thread 17.4: medians of 8 rounds).
        const MachineLoad load = adaptive_ ? machine_load(t0) : MachineLoad::room;
        const bool short_loops_alone = load == MachineLoad::no_free_core || (adaptive_ && t0 < solo_until_);
        if (load == MachineLoad::full || (short_loops_alone && estimate.alone_ns < kLongLoopNs)) {
            if (load == MachineLoad::full) ++stats_.full_machine_loops;
            if (load == MachineLoad::no_free_core) ++stats_.no_free_core_loops;
            const int64_t cpu0 = thread_cpu_ns();
            run_alone(items, run_item, context);
            estimate.alone_ns = thread_cpu_ns() - cpu0;
            return;
        }
        start_helpers();
        run_shared(items, run_item, context, t0, estimate);
    }

    static void run_alone(int items, RunItem run_item, void* context) {
        for (int i = 0; i < items; ++i) run_item(context, i, 0);
    }

private:
    Pool() : threads_(default_threads()) {}

    // The machine's load (machine_load.h) from the last two looks at /proc/loadavg, the latest at
    // most kMachineLookNs ago. On a full machine a helper would only queue behind other tasks, and
    // waking one lets the scheduler move those tasks around: beside two busy co-runners on 2 cores,
    // a single-threaded process mostly kept a core to itself while ours, whose helpers woke, mostly
    // ended up sharing the caller's core with a co-runner (DeiT-Tiny, medians of 12 rounds: 35 ms
    // per pass against 19.5 on 1 thread; with this check 19.3).
    void forget_machine_look() {  // the next loop looks again, and one busy look is not enough
        machine_looked_ = INT64_MIN / 2;
        machine_load_ = MachineLoad::room;
        machine_looks_.forget();
    }
    MachineLoad machine_load(int64_t now) {
        if (!machine_check_) return MachineLoad::room;
        if (now - machine_looked_ < kMachineLookNs) return machine_load_;
        machine_looked_ = now;
        const int awake_helpers = std::max(0, int(helpers_.size()) - sleepers_.load());
        machine_load_ = machine_looks_.look(machine_load_of(runnable_tasks(), awake_helpers, processors_));
        return machine_load_;
    }

    // The CPU time the last loop of this site (its body) and size took, or would have taken, on the
    // caller alone. A small direct-mapped table: a collision only forgets an estimate.
    struct LoopSite {
        RunItem site = nullptr;
        int items = 0;
        int64_t alone_ns = 0;
    };
    LoopSite& loop_site(RunItem site, int items) {
        const uint64_t h = (uint64_t(reinterpret_cast<uintptr_t>(site)) >> 4) * 0x9E3779B97F4A7C15ull ^ uint64_t(items);
        LoopSite& e = sites_[size_t(h % sites_.size())];
        if (e.site != site || e.items != items) e = {site, items, 0};
        return e;
    }

    void run_shared(int items, RunItem run_item, void* context, int64_t t0, LoopSite& estimate) {
        assert(uint64_t(items) <= kItemMask && "parallel_for: too many items for one loop");
        const int64_t cpu0 = adaptive_ ? thread_cpu_ns() : 0;
        generation_ = (generation_ + 1) & kGenerationMask;
        pending_.store(items, std::memory_order_relaxed);
        run_item_.store(run_item, std::memory_order_relaxed);
        context_.store(context, std::memory_order_relaxed);
        const int team = threads_;
        for (int t = 0; t < team; ++t)
            ranges_[size_t(t)].word.store(
                range_word(generation_, uint64_t(items) * t / team, uint64_t(items) * (t + 1) / team),
                std::memory_order_relaxed);
        generation_word_.store(generation_);  // seq_cst: publishes the ranges; ordered before the sleepers check
        if (sleepers_.load() > 0) {
            wake_.fetch_add(1);
            wake_.notify_all();
        }
        int mine = 0;
        for (int item; (item = claim(generation_, 0)) >= 0; ++mine) run_item(context, item, 0);
        const int64_t t1 = now_ns();
        // The caller's CPU time for its items, scaled to all of them (CPU time: preemption does not count).
        if (adaptive_ && mine > 0) estimate.alone_ns = (thread_cpu_ns() - cpu0) * items / mine;
        if (pending_.fetch_sub(mine, std::memory_order_acq_rel) != mine) {
            for (int spins = 1; pending_.load(std::memory_order_acquire) != 0; ++spins) {
                cpu_relax();
                if ((spins & 63) == 0 && now_ns() - t1 > kCallerSpinNs) std::this_thread::yield();
            }
        }
        const int64_t t2 = now_ns();
        ++stats_.shared_loops;
        stats_.stall_ms += double(t2 - t1) * 1e-6;
        if (adaptive_) adapt(t0, t1, t2, thread_cpu_ns() - cpu0, items, mine);
    }

    // Signs of an oversubscribed machine: the caller waited a scheduler slice for a helper's item;
    // over the last few milliseconds of loops, the caller got less than kLowShare of a core, or the
    // helpers did less than kLowHelperShare of their fair share of the items (they hardly ran).
    void adapt(int64_t t0, int64_t t1, int64_t t2, int64_t cpu, int items, int mine) {
        bool loaded = false;
        if (t2 - t1 > kStallNs && (t2 - t1) * 4 > t2 - t0) {
            ++stats_.stalls;
            loaded = true;
        }
        window_wall_ += t2 - t0;
        window_cpu_ += cpu;
        window_items_ += items;
        window_helper_items_ += items - mine;
        if (window_wall_ >= kShareWindowNs) {
            if (double(window_cpu_) < kLowShare * double(window_wall_)) loaded = true;
            // Helpers that hardly run (the other cores are busy) only cost the caller their wake-ups.
            const double fair = double(window_items_) * double(threads_ - 1) / double(threads_);
            if (double(window_helper_items_) < kLowHelperShare * fair) loaded = true;
            window_wall_ = window_cpu_ = window_items_ = window_helper_items_ = 0;
        }
        if (!loaded) return;
        ++stats_.load_signs;
        // One sign alone may be a hiccup of a quiet machine (an interrupt, a short-lived process): a
        // second one soon after confirms the load.
        // Time without signs counts from the end of the last solo period (no loop is judged during
        // one): right after a period the first sign confirms, and the doubling goes on while the
        // load lasts (counted from the last sign, a period of 640 ms looked like calm and the next
        // started again at 20 ms, waking the helpers every ~250 ms under steady load).
        const int64_t since = t2 - std::max(last_sign_, solo_until_);
        const bool confirmed = since <= kConfirmNs;
        if (since > kCalmNs) solo_length_ = kFirstSoloNs;
        last_sign_ = t2;
        window_wall_ = window_cpu_ = window_items_ = window_helper_items_ = 0;
        if (!confirmed) return;
        ++stats_.solo_periods;
        solo_until_ = t2 + solo_length_;
        solo_length_ = std::min(2 * solo_length_, kMaxSoloNs);
    }

    void start_helpers() {
        if (!helpers_.empty()) return;
        quit_.store(false);
        const int n = threads_ - 1;
        ranges_ = std::vector<ItemRange>(size_t(threads_));
        helper_tids_ = std::vector<std::atomic<int>>(size_t(n));
        for (int i = 0; i < n; ++i) helpers_.emplace_back([this, i] { helper_loop(i + 1); });
    }

    void stop_helpers() {
        if (helpers_.empty()) return;
        quit_.store(true);
        wake_.fetch_add(1);
        wake_.notify_all();
        for (std::thread& t : helpers_) t.join();
        helpers_.clear();
    }

    void helper_loop(int slot) {
#if defined(__linux__)
        const int tid = int(syscall(SYS_gettid));
        helper_tids_[size_t(slot - 1)].store(tid);
        if (helper_nice_ > 0) setpriority(PRIO_PROCESS, id_t(tid), helper_nice_);
#endif
        uint32_t seen = generation_word_.load(std::memory_order_acquire);
        for (;;) {
            uint32_t g = generation_word_.load(std::memory_order_acquire);
            int64_t deadline = now_ns() + kHelperSpinNs;
            for (int spins = 1; g == seen; ++spins) {
                if (quit_.load(std::memory_order_relaxed)) return;
                cpu_relax();
                if ((spins & 63) == 0 && now_ns() > deadline) {
                    sleepers_.fetch_add(1);  // seq_cst: a loop started after this sees a sleeper
                    const uint32_t ticket = wake_.load();
                    if (generation_word_.load() == seen && !quit_.load()) wake_.wait(ticket);
                    sleepers_.fetch_sub(1);
                    deadline = now_ns() + kHelperSpinNs;
                }
                g = generation_word_.load(std::memory_order_acquire);
            }
            seen = g;
            for (int item; (item = claim(g, slot)) >= 0;) {
                // Read after the claim: the loop cannot end (and these change) before this item is done.
                run_item_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), item, slot);
                helper_items_.fetch_add(1, std::memory_order_relaxed);
                pending_.fetch_sub(1, std::memory_order_release);
            }
        }
    }

    // The next item of loop `generation` for thread `slot`: the front of its own range, else the back
    // of another's; -1 when every item is claimed (or the loop is over).
    int claim(uint32_t generation, int slot) {
        const int team = int(ranges_.size());
        for (int k = 0; k < team; ++k) {
            const int t = (slot + k) % team;
            std::atomic<uint64_t>& word = ranges_[size_t(t)].word;
            uint64_t w = word.load(std::memory_order_acquire);
            while (generation_of(w) == generation && begin_of(w) < end_of(w)) {
                const uint64_t b = uint64_t(begin_of(w)), e = uint64_t(end_of(w));
                const bool own = k == 0;
                if (word.compare_exchange_weak(w, own ? range_word(generation, b + 1, e) : range_word(generation, b, e - 1),
                                               std::memory_order_acq_rel, std::memory_order_acquire))
                    return own ? int(b) : int(e - 1);
            }
        }
        return -1;
    }

    std::mutex loop_mutex_;  // one shared loop at a time; guards everything below that is not atomic
    std::atomic<int> threads_;
    bool adaptive_ = true;
    int helper_nice_ = 0;
    std::vector<std::thread> helpers_;
    std::vector<std::atomic<int>> helper_tids_;
    uint32_t generation_ = 0;
    EngineThreadStats stats_;
    int64_t solo_until_ = 0, solo_length_ = kFirstSoloNs, last_sign_ = -kCalmNs;
    const int processors_ = available_processors();
    bool machine_check_ = true;
    int64_t machine_looked_ = INT64_MIN / 2;
    MachineLoad machine_load_ = MachineLoad::room;
    MachineLoadLooks machine_looks_;
    int64_t window_wall_ = 0, window_cpu_ = 0, window_items_ = 0, window_helper_items_ = 0;

    std::array<LoopSite, 64> sites_{};
    std::vector<ItemRange> ranges_;  // one per thread of the team, sized with the helpers
    std::atomic<uint32_t> generation_word_{0};  // the running (or last) loop's generation
    std::atomic<int> pending_{0};
    std::atomic<RunItem> run_item_{nullptr};
    std::atomic<void*> context_{nullptr};
    std::atomic<uint32_t> wake_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> quit_{false};
    std::atomic<int64_t> helper_items_{0};
};

thread_local bool t_inside_item = false;

}  // namespace

void set_engine_threads(int threads) { Pool::instance().set_threads(threads); }
int engine_threads() { return Pool::instance().threads(); }
void set_engine_thread_adaptation(bool adaptive) { Pool::instance().set_adaptive(adaptive); }
bool engine_thread_adaptation() { return Pool::instance().adaptive(); }
void set_engine_machine_check(bool on) { Pool::instance().set_machine_check(on); }
void set_engine_helper_nice(int nice) { Pool::instance().set_helper_nice(nice); }
void set_calling_thread_nice(int nice) {
#if defined(__linux__)
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), std::clamp(nice, 0, 19));
#else
    (void)nice;
#endif
}
EngineThreadStats engine_thread_stats() { return Pool::instance().stats(); }
void reset_engine_thread_stats() { Pool::instance().reset_stats(); }

void parallel_for_items(int items, void (*run)(void* context, int item, int slot), void* context) {
    if (items <= 0) return;
    if (items == 1 || t_inside_item) {
        Pool::run_alone(items, run, context);
        return;
    }
    struct Mark {
        RunItem run;
        void* context;
    } mark{run, context};
    // Items mark their thread, so that a nested loop runs where it is.
    auto marked = [](void* c, int item, int slot) {
        const Mark& m = *static_cast<const Mark*>(c);
        const bool outer = t_inside_item;
        t_inside_item = true;
        m.run(m.context, item, slot);
        t_inside_item = outer;
    };
    Pool::instance().run(items, marked, &mark, run);
}

}  // namespace vitscope
