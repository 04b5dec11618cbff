//go:build !wasip1

package guest

import "time"

// Outside the WASI module there is no host module to ask.

func hostDial(uint32, string) (int32, error)              { return 0, errNotInSandbox }
func hostConnect(int32, time.Duration) error              { return errNotInSandbox }
func hostListen(uint32, string) (int32, error)            { return 0, errNotInSandbox }
func hostAccept(int32, time.Duration) (int32, error)      { return 0, errNotInSandbox }
func hostRead(int32, []byte, time.Duration) (int, error)  { return 0, errNotInSandbox }
func hostWrite(int32, []byte, time.Duration) (int, error) { return 0, errNotInSandbox }
func hostShutdown(int32) error                            { return errNotInSandbox }
func hostClose(int32) error                               { return errNotInSandbox }
func hostAddr(int32, bool) (string, error)                { return "", errNotInSandbox }
