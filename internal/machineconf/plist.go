package machineconf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// plistString returns the string value of key in an XML property list's
// top-level dictionary; "" when the key is absent. Read on macOS only; kept
// out of the darwin file so its tests run everywhere.
func plistString(data []byte, key string) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	depth, atKey := 0, false // depth 2: inside <plist><dict>
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("plist: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 3 {
				continue
			}
			var text string
			if err := d.DecodeElement(&text, &t); err != nil {
				return "", fmt.Errorf("plist: %w", err)
			}
			depth--
			switch {
			case t.Name.Local == "key":
				atKey = text == key
			case atKey && t.Name.Local == "string":
				return text, nil
			case atKey:
				return "", fmt.Errorf("plist: %s is a <%s>, want <string>", key, t.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
}
