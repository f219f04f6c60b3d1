//go:build linux && (amd64 || arm64)

package datasets

import (
	"os"
	"syscall"
)

// startWriteback asks the kernel to start writing f's dirty pages to its
// disk without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE), so that the fsync of OutputFile.Commit finds
// little left to write. Errors are left to that fsync.
func startWriteback(f *os.File) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = syscall.SyncFileRange(int(fd), 0, 0, 0x2) // SYNC_FILE_RANGE_WRITE, the whole file
	})
}
