package userdir

import "os"

// dataBase is ~/Library/Application Support.
func dataBase() (string, error) { return os.UserConfigDir() }
