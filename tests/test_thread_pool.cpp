// The engine's thread pool (engine/thread_pool.h): every item runs exactly once, on a valid slot,
// nested loops stay on their thread, two callers at once both finish, helpers take part in a fixed
// team, and a helper that stalls the caller sends the pool to the caller alone for a while (except
// for loops long enough to gain from a helper anyway), other tasks filling every processor keep
// loops on the caller alone, and other tasks on all processors but one keep short loops there.
#include "thread_pool.h"

#include "machine_load.h"

#include <QtTest/QtTest>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <thread>
#include <vector>

using namespace vitscope;

namespace {

void busy_for(std::chrono::microseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
    }
}

// Busy for `d` of this thread's CPU time (however long it is preempted meanwhile).
void cpu_busy_for(std::chrono::microseconds d) {
    auto cpu_ns = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    };
    const int64_t end = cpu_ns() + int64_t(d.count()) * 1000;
    while (cpu_ns() < end) {
    }
}

// Threads that spin until stopped (or destroyed): other tasks, as far as the pool can tell.
class Spinners {
public:
    explicit Spinners(int n) {
        for (int i = 0; i < n; ++i)
            threads_.emplace_back([this] {
                while (!stop_.load(std::memory_order_relaxed)) {
                }
            });
    }
    ~Spinners() { stop(); }
    void stop() {
        stop_.store(true);
        for (std::thread& t : threads_)
            if (t.joinable()) t.join();
    }

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

// The pool judges the machine by two looks 20 ms apart (a task seen once may be a passing one):
// turn the check on, let it look twice, and start counting from there.
void look_twice_at_the_machine() {
    set_engine_machine_check(true);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    parallel_for(2, [](int, int) {});
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    reset_engine_thread_stats();
}

}  // namespace

class TestThreadPool : public QObject {
    Q_OBJECT
private slots:
    void init() {
        set_engine_threads(2);
        set_engine_thread_adaptation(true);
        set_engine_machine_check(false);  // a busy test machine must not keep these tests' loops alone
    }

    void a_machine_full_of_other_tasks_keeps_loops_alone() {
#if defined(__linux__)
        const int processors = int(std::thread::hardware_concurrency());
        if (processors < 1) QSKIP("the number of processors is unknown");
        // As many spinning threads as processors (not the pool's: they count as other tasks).
        Spinners spinners(processors);
        look_twice_at_the_machine();
        std::atomic<int> helper_runs{0};
        parallel_for(100, [&](int, int slot) {
            if (slot != 0) helper_runs.fetch_add(1);
        });
        // A long loop (40 items of 100 us of CPU) stays alone too, the second time as the first.
        for (int i = 0; i < 2; ++i)
            parallel_for(40, [&](int, int slot) {
                cpu_busy_for(std::chrono::microseconds(100));
                if (slot != 0) helper_runs.fetch_add(1);
            });
        spinners.stop();
        const EngineThreadStats full = engine_thread_stats();
        QCOMPARE(helper_runs.load(), 0);
        QCOMPARE(full.shared_loops, int64_t(0));
        QCOMPARE(full.full_machine_loops, int64_t(3));
        // Without them (and with nothing else busy: /proc/loadavg counts the caller alone), the pool
        // shares again once its 20 ms-old look is renewed: one look with room is enough.
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
        const int running = runnable_tasks();
        parallel_for(100, [](int, int) {});
        if (machine_load_of(running, 0, processors) == MachineLoad::room)
            QCOMPARE(engine_thread_stats().shared_loops, int64_t(1));
        set_engine_machine_check(false);
#else
        QSKIP("the machine check reads /proc/loadavg (Linux)");
#endif
    }

    void no_processor_free_for_a_helper_keeps_short_loops_alone() {
#if defined(__linux__)
        const int processors = int(std::thread::hardware_concurrency());
        if (processors < 2) QSKIP("needs 2 processors or more (on 1, any other task fills the machine)");
        // Other tasks on every processor but one: the caller has one, a helper would share.
        Spinners spinners(processors - 1);
        look_twice_at_the_machine();
        std::atomic<int> helper_runs{0};
        for (int i = 0; i < 3; ++i)
            parallel_for(100, [&](int, int slot) {
                if (slot != 0) helper_runs.fetch_add(1);
            });
        const EngineThreadStats short_loops = engine_thread_stats();
        QCOMPARE(helper_runs.load(), 0);
        QCOMPARE(short_loops.shared_loops, int64_t(0));
        QCOMPARE(short_loops.no_free_core_loops + short_loops.full_machine_loops, int64_t(3));
        // A long loop (40 items of 100 us of CPU: 4 ms alone) runs alone the first time, which
        // measures it; the second time it uses a helper, unless something else on the machine has
        // meanwhile filled it.
        auto long_loop = [] { parallel_for(40, [](int, int) { cpu_busy_for(std::chrono::microseconds(100)); }); };
        long_loop();
        QCOMPARE(engine_thread_stats().shared_loops, int64_t(0));
        long_loop();
        spinners.stop();
        const EngineThreadStats after = engine_thread_stats();
        if (after.full_machine_loops == 0) {
            QCOMPARE(after.no_free_core_loops, int64_t(4));
            QCOMPARE(after.shared_loops, int64_t(1));
        }
        set_engine_machine_check(false);
#else
        QSKIP("the machine check reads /proc/loadavg (Linux)");
#endif
    }

    void every_item_runs_once_on_a_valid_slot() {
        for (bool adaptive : {false, true})
            for (int threads : {1, 2, 3, 4}) {
                set_engine_thread_adaptation(adaptive);
                set_engine_threads(threads);
                QCOMPARE(engine_threads(), threads);
                for (int items : {0, 1, 2, 7, 1000, 100000}) {
                    std::vector<std::atomic<int>> runs(static_cast<size_t>(items));
                    std::atomic<int> bad_slot{0};
                    parallel_for(items, [&](int item, int slot) {
                        runs[size_t(item)].fetch_add(1);
                        if (slot < 0 || slot >= threads) bad_slot.fetch_add(1);
                    });
                    for (int i = 0; i < items; ++i)
                        QVERIFY2(runs[size_t(i)].load() == 1,
                                 qPrintable(QString("item %1 of %2 ran %3 times with %4 threads")
                                                .arg(i).arg(items).arg(runs[size_t(i)].load()).arg(threads)));
                    QCOMPARE(bad_slot.load(), 0);
                }
            }
    }

    void a_nested_loop_runs_on_the_thread_of_its_item() {
        set_engine_thread_adaptation(false);
        std::atomic<int> moved{0}, inner_runs{0};
        parallel_for(64, [&](int, int) {
            const std::thread::id outer = std::this_thread::get_id();
            parallel_for(8, [&](int, int slot) {
                inner_runs.fetch_add(1);
                if (std::this_thread::get_id() != outer || slot != 0) moved.fetch_add(1);
            });
        });
        QCOMPARE(inner_runs.load(), 64 * 8);
        QCOMPARE(moved.load(), 0);
    }

    void two_callers_at_once_both_finish_every_item() {
        std::vector<std::atomic<int>> a(20000), b(20000);
        auto fill = [](std::vector<std::atomic<int>>& v) {
            for (int round = 0; round < 50; ++round)
                parallel_for(int(v.size()), [&](int item, int) { v[size_t(item)].fetch_add(1); });
        };
        std::thread other([&] { fill(b); });
        fill(a);
        other.join();
        for (size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].load(), 50);
            QCOMPARE(b[i].load(), 50);
        }
    }

    void helpers_take_items_in_a_fixed_team() {
        set_engine_thread_adaptation(false);
        reset_engine_thread_stats();
        // 400 items of 100 us: a helper that wakes within 40 ms takes part.
        parallel_for(400, [](int, int) { busy_for(std::chrono::microseconds(100)); });
        const EngineThreadStats s = engine_thread_stats();
        QCOMPARE(s.loops, int64_t(1));
        QCOMPARE(s.shared_loops, int64_t(1));
        QCOMPARE(s.items, int64_t(400));
        QVERIFY2(s.helper_items > 0, "the helper thread took no item of a 40 ms loop");
        QCOMPARE(s.stalls, int64_t(0));
    }

    void a_stalled_caller_runs_alone_for_a_while() {
        set_engine_thread_adaptation(true);
        reset_engine_thread_stats();
        // Items on a helper take 20 ms (as if it were preempted), the caller's take 10 us: the caller
        // finishes its share (and steals the rest) and then waits for the helper's item much longer
        // than a scheduler slice. One such sign alone is taken for a hiccup; a second within 100 ms
        // sends the pool to the caller alone.
        auto stalling_loop = [] {
            parallel_for(200, [](int, int slot) { busy_for(std::chrono::microseconds(slot == 0 ? 10 : 20000)); });
        };
        for (int attempt = 0; attempt < 50 && engine_thread_stats().stalls == 0; ++attempt) stalling_loop();
        QVERIFY2(engine_thread_stats().stalls == 1, "no stall was seen in 50 loops whose helper items take 20 ms");
        // (A busy machine, ctest -j beside other tests, may add signs of its own, the caller getting
        // under 80% of a core, and so solo periods before this point.)
        const EngineThreadStats after_first = engine_thread_stats();
        if (after_first.load_signs == 1) QCOMPARE(after_first.solo_periods, int64_t(0));
        // Stalling loops until a confirmed sign sends the pool to the caller alone (loops that run
        // alone meanwhile judge nothing; once a solo period is over, the next stall is a sign again).
        for (int attempt = 0; attempt < 50 && engine_thread_stats().solo_periods == after_first.solo_periods; ++attempt)
            stalling_loop();
        const EngineThreadStats after_stall = engine_thread_stats();
        QVERIFY(after_stall.load_signs > after_first.load_signs);  // the confirming sign
        QCOMPARE(after_stall.solo_periods, after_first.solo_periods + 1);
        // The next loops (well within the first 20 ms of solo running) use the caller alone.
        std::atomic<int> helper_runs{0};
        for (int i = 0; i < 5; ++i)
            parallel_for(100, [&](int, int slot) {
                if (slot != 0) helper_runs.fetch_add(1);
            });
        QCOMPARE(helper_runs.load(), 0);
        QCOMPARE(engine_thread_stats().shared_loops, after_stall.shared_loops);
        // A long loop (40 items of 100 us of CPU: 4 ms alone) runs alone the first time, which measures
        // it; the second time the same loop uses the helpers, still inside the solo period (on a busy
        // machine that shared loop may itself give a sign of load: a further solo period changes nothing).
        auto long_loop = [] { parallel_for(40, [](int, int) { cpu_busy_for(std::chrono::microseconds(100)); }); };
        long_loop();
        QCOMPARE(engine_thread_stats().shared_loops, after_stall.shared_loops);
        long_loop();
        QCOMPARE(engine_thread_stats().shared_loops, after_stall.shared_loops + 1);
        // Once a solo period is over (a trivial loop is shared again), the load is known: the very
        // first sign after it starts the next period, twice as long (20, 40, 80, 160 ms ...), without
        // waiting for a second sign, however long the period was (after 160 ms alone the last sign
        // is long past).
        auto signs_until_next_period = [&] {
            for (int attempt = 0; attempt < 400; ++attempt) {
                const int64_t shared = engine_thread_stats().shared_loops;
                parallel_for(100, [](int, int) {});
                if (engine_thread_stats().shared_loops > shared) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            const EngineThreadStats before = engine_thread_stats();
            for (int attempt = 0; attempt < 50 && engine_thread_stats().solo_periods == before.solo_periods; ++attempt)
                stalling_loop();
            return engine_thread_stats().load_signs - before.load_signs;
        };
        for (int period = 0; period < 4; ++period) QCOMPARE(signs_until_next_period(), int64_t(1));
        // A fixed team ignores the signs: helpers are used at once.
        set_engine_thread_adaptation(false);
        reset_engine_thread_stats();
        parallel_for(400, [](int, int) { busy_for(std::chrono::microseconds(100)); });
        QCOMPARE(engine_thread_stats().shared_loops, int64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestThreadPool)
#include "test_thread_pool.moc"
