// Command firstframe starts a program and reports how long its window took
// to appear and to be drawn, and the program's memory a moment later. It is
// the stopwatch of scripts/bench-ui.sh:
//
//	firstframe -title 'Phoneset — Sign in' [-settle 1s] [-poll 5ms] [-timeout 60s] -- program [args]
//
// It prints one line "mapped_ms painted_ms rss_kb hwm_kb cpu_ms": milliseconds
// from just before exec until a window with exactly that title is viewable,
// and until that window also holds more than one colour (its first frame);
// VmRSS and VmHWM of the process, read -settle after the frame; and the CPU
// time (user + system) the process had used at its first frame. The
// program inherits the environment (DISPLAY names the X server, a local one
// without authentication such as Xvfb) and writes to firstframe's stderr. It
// gets SIGTERM (SIGKILL 5 s later) once measured or when firstframe is
// interrupted.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	title := flag.String("title", "", "exact title of the window to wait for")
	poll := flag.Duration("poll", 5*time.Millisecond, "time between looks at the window tree")
	settle := flag.Duration("settle", time.Second, "time from first frame to reading memory")
	timeout := flag.Duration("timeout", time.Minute, "longest wait for the window")
	flag.Parse()
	if *title == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	r, err := measure(ctx, flag.Args(), *title, *poll, *settle, *timeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "firstframe:", err)
		cancel()
		os.Exit(1)
	}
	fmt.Printf("%.1f %.1f %d %d %.0f\n", ms(r.mapped), ms(r.painted), r.rssKB, r.hwmKB, ms(r.cpu))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type result struct {
	mapped, painted time.Duration
	cpu             time.Duration // user + system time of the program at its first frame
	rssKB, hwmKB    int64
}

func measure(ctx context.Context, argv []string, title string, poll, settle, timeout time.Duration) (result, error) {
	var r result
	x, err := dialX(os.Getenv("DISPLAY"))
	if err != nil {
		return r, err
	}
	defer x.Close()
	a, err := x.titleAtoms()
	if err != nil {
		return r, err
	}
	// A window left by another run would be found at once.
	if _, ok, err := x.find(a, title); err != nil || ok {
		return r, errors.Join(err, errorIf(ok, "a window %q is already open", title))
	}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer stop(cmd, exited)

	deadline := start.Add(timeout)
	for r.painted == 0 {
		select {
		case <-exited:
			return r, fmt.Errorf("%s exited before its window showed (%v)", argv[0], waitErr)
		case <-ctx.Done():
			return r, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			if r.mapped > 0 {
				return r, fmt.Errorf("window %q viewable but not drawn within %v", title, timeout)
			}
			return r, fmt.Errorf("no viewable window %q within %v", title, timeout)
		}
		w, ok, err := x.find(a, title)
		if err != nil {
			return r, err
		}
		if ok && w.viewable {
			if r.mapped == 0 {
				r.mapped = time.Since(start)
			}
			pix, err := x.image(w.id)
			switch {
			case err == nil && painted(pix):
				r.painted = time.Since(start)
				// CPU time says how much work the start was, which
				// background load on the machine barely changes.
				if r.cpu, err = cpuTime(cmd.Process.Pid); err != nil {
					return r, err
				}
				continue
			case err != nil && !errors.Is(err, errX): // errX: closed or unmapped meanwhile
				return r, err
			}
		}
		time.Sleep(poll)
	}

	select {
	case <-exited:
		return r, fmt.Errorf("%s exited within %v of its first frame (%v)", argv[0], settle, waitErr)
	case <-ctx.Done():
		return r, ctx.Err()
	case <-time.After(settle):
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return r, err
	}
	r.rssKB, r.hwmKB, err = parseStatus(status)
	return r, err
}

// cpuTime reads a process's user + system time from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(stat)
}

// parseStat takes utime and stime, fields 14 and 15 of /proc/PID/stat, in
// clock ticks of 10 ms (USER_HZ is 100 on Linux). The command name in field
// 2 may hold spaces and parentheses, so fields count from its last ')'.
func parseStat(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("stat: too few fields")
	}
	var ticks int64
	for _, s := range f[11:13] { // fields 14 and 15; f[0] is field 3
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

func errorIf(cond bool, format string, args ...any) error {
	if !cond {
		return nil
	}
	return fmt.Errorf(format, args...)
}

// stop ends the program, unless it has exited: SIGTERM, then SIGKILL if it
// lingers.
func stop(cmd *exec.Cmd, exited <-chan struct{}) {
	if cmd.Process.Signal(syscall.SIGTERM) != nil {
		<-exited
		return
	}
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
}

// parseStatus reads VmRSS (resident now) and VmHWM (peak resident) in kB
// from /proc/PID/status.
func parseStatus(status []byte) (rssKB, hwmKB int64, err error) {
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		var dst *int64
		switch {
		case !ok:
			continue
		case key == "VmRSS":
			dst = &rssKB
		case key == "VmHWM":
			dst = &hwmKB
		default:
			continue
		}
		num, unit, _ := strings.Cut(strings.TrimSpace(val), " ")
		if unit != "kB" {
			return 0, 0, fmt.Errorf("%s: unit %q, want kB", key, unit)
		}
		if *dst, err = strconv.ParseInt(num, 10, 64); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", key, err)
		}
		found++
	}
	if found != 2 {
		return 0, 0, errors.New("no VmRSS and VmHWM in status")
	}
	return rssKB, hwmKB, nil
}
