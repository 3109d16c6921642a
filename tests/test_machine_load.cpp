// How the thread pool judges the machine's load (engine/machine_load.h): the level of one look at
// the runnable tasks, and the judgement of two looks in a row.
#include "machine_load.h"

#include <QtTest/QtTest>

using namespace vitscope;

class TestMachineLoad : public QObject {
    Q_OBJECT
private slots:
    void one_look_counts_the_tasks_that_are_not_ours() {
        // 2 processors: the caller alone, or with its helper awake, leaves room.
        QCOMPARE(machine_load_of(1, 0, 2), MachineLoad::room);
        QCOMPARE(machine_load_of(2, 1, 2), MachineLoad::room);
        // One other task: the caller keeps a processor, a helper would share the other.
        QCOMPARE(machine_load_of(2, 0, 2), MachineLoad::no_free_core);
        QCOMPARE(machine_load_of(3, 1, 2), MachineLoad::no_free_core);
        // Two others fill both processors.
        QCOMPARE(machine_load_of(3, 0, 2), MachineLoad::full);
        QCOMPARE(machine_load_of(4, 1, 2), MachineLoad::full);
        QCOMPARE(machine_load_of(9, 0, 2), MachineLoad::full);
        // 8 processors: six others still leave one free for a helper, seven do not, eight fill it.
        QCOMPARE(machine_load_of(7, 0, 8), MachineLoad::room);
        QCOMPARE(machine_load_of(8, 0, 8), MachineLoad::no_free_core);
        QCOMPARE(machine_load_of(9, 1, 8), MachineLoad::no_free_core);
        QCOMPARE(machine_load_of(10, 1, 8), MachineLoad::full);
        QCOMPARE(machine_load_of(9, 0, 8), MachineLoad::full);
        // 1 processor: any other task fills it (there is never a processor for a helper).
        QCOMPARE(machine_load_of(1, 0, 1), MachineLoad::room);
        QCOMPARE(machine_load_of(2, 0, 1), MachineLoad::full);
        // Unknown (no /proc/loadavg): room, as without the check.
        QCOMPARE(machine_load_of(-1, 0, 2), MachineLoad::room);
    }

    void a_task_seen_once_changes_nothing_and_room_ends_a_busy_spell_at_once() {
        MachineLoadLooks looks;
        QCOMPARE(looks.look(MachineLoad::no_free_core), MachineLoad::room);
        QCOMPARE(looks.look(MachineLoad::room), MachineLoad::room);
        QCOMPARE(looks.look(MachineLoad::full), MachineLoad::room);
        QCOMPARE(looks.look(MachineLoad::full), MachineLoad::full);
        QCOMPARE(looks.look(MachineLoad::no_free_core), MachineLoad::no_free_core);
        QCOMPARE(looks.look(MachineLoad::full), MachineLoad::no_free_core);
        QCOMPARE(looks.look(MachineLoad::room), MachineLoad::room);
        QCOMPARE(looks.look(MachineLoad::full), MachineLoad::room);
        looks.forget();
        QCOMPARE(looks.look(MachineLoad::full), MachineLoad::room);
        QCOMPARE(looks.look(MachineLoad::full), MachineLoad::full);
    }

    void the_runnable_count_includes_the_caller() {
#if defined(__linux__)
        QVERIFY(runnable_tasks() >= 1);
#else
        QCOMPARE(runnable_tasks(), -1);
#endif
    }
};

QTEST_GUILESS_MAIN(TestMachineLoad)
#include "test_machine_load.moc"
