// The front ends share the CPU between the engine's OpenMP threads and the UI (and, under a software
// GL driver, its rendering threads). OpenMP's default active waiting (threads spin at every barrier)
// then fights the UI for the cores: on 2 cores a DeiT-Tiny forward in the app took 200-670 ms in one
// start of three instead of 30-80 ms. Passive waiting (threads sleep) keeps it at 30-45 ms.
// libgomp reads OMP_WAIT_POLICY once, when it is loaded, before main(): so the program sets it and
// starts itself again. Issue 18 (a thread pool of our own with bounded spinning) is the real cure.
#pragma once

namespace vitscope {

// When OMP_WAIT_POLICY is unset: sets it to "passive" and re-executes the running program with the
// same arguments (returns only if that fails, leaving the program as it was). When it is set (by the
// user, or by the first start) it returns at once.
void ensure_passive_openmp_wait(char** argv);

}  // namespace vitscope
