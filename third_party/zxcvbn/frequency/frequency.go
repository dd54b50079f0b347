package frequency

import (
	"encoding/json"
	"log"
	"sync"

	"github.com/ccojocar/zxcvbn-go/data"
)

// List holds a frequency list
type List struct {
	Name string
	List []string
}

// Lists returns all the frequency lists by name. Phoneset: decoded on first
// use rather than in init (60 ms and 10 MB at every program start).
var Lists = sync.OnceValue(func() map[string]List {
	return map[string]List{
		"MaleNames":   getStringListFromAsset(getAsset("data/MaleNames.json"), "MaleNames"),
		"FemaleNames": getStringListFromAsset(getAsset("data/FemaleNames.json"), "FemaleNames"),
		"Surname":     getStringListFromAsset(getAsset("data/Surnames.json"), "Surname"),
		"English":     getStringListFromAsset(getAsset("data/English.json"), "English"),
		"Passwords":   getStringListFromAsset(getAsset("data/Passwords.json"), "Passwords"),
	}
})

func getAsset(name string) []byte {
	data, err := data.Asset(name)
	if err != nil {
		panic("Error getting asset " + name)
	}

	return data
}

func getStringListFromAsset(data []byte, name string) List {
	var tempList List
	err := json.Unmarshal(data, &tempList)
	if err != nil {
		log.Fatal(err)
	}
	tempList.Name = name
	return tempList
}
