package risk_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) of the calling thread (thread)
// or of the process: benchmarks report it beside wall time, which a loaded
// machine inflates.
func cpuTime(thread bool) time.Duration {
	who := syscall.RUSAGE_SELF
	if thread {
		who = 1 // RUSAGE_THREAD
	}
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
