package ui

import (
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

var (
	user32     = syscall.NewLazyDLL("user32.dll")
	isIconic   = user32.NewProc("IsIconic")
	showWindow = user32.NewProc("ShowWindow")
)

const swRestore = 9

// restore un-minimises w: Fyne's Show and RequestFocus leave a minimised
// window on the taskbar.
func restore(w fyne.Window) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return
	}
	nw.RunNative(func(ctx any) {
		c, ok := ctx.(driver.WindowsWindowContext)
		if !ok || c.HWND == 0 {
			return
		}
		if minimised, _, _ := isIconic.Call(c.HWND); minimised != 0 {
			showWindow.Call(c.HWND, swRestore)
		}
	})
}
