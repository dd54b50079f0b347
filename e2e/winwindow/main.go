//go:build windows

// Command winwindow minimises Phoneset's window or reports its state, from
// another process, as a user would: the Wine end-to-end test runs it to see
// what X can't tell (a minimised Wine window may stay mapped).
//
//	winwindow minimize    minimise the window
//	winwindow state       print "iconic=<bool> foreground=<bool>"
package main

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// glfwClass is the window class GLFW (under Fyne) gives its windows.
const glfwClass = "GLFW30"

const swMinimize = 6

func main() {
	user32 := syscall.NewLazyDLL("user32.dll")
	class, _ := syscall.UTF16PtrFromString(glfwClass)
	hwnd, _, _ := user32.NewProc("FindWindowW").Call(uintptr(unsafe.Pointer(class)), 0)
	if hwnd == 0 || len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: winwindow minimize|state, with a Phoneset window open")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "minimize":
		user32.NewProc("ShowWindow").Call(hwnd, swMinimize)
	case "state":
		iconic, _, _ := user32.NewProc("IsIconic").Call(hwnd)
		fg, _, _ := user32.NewProc("GetForegroundWindow").Call()
		fmt.Printf("iconic=%v foreground=%v\n", iconic != 0, fg == hwnd)
	default:
		os.Exit(2)
	}
}
