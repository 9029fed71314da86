// Copyright 2026 the pairbench authors. Licensed under the Apache License, Version 2.0.

package main

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// plain strips secret and output wrappers (the values are needed in clear to run commands; the
// outputs are re-marked secret by markSecret when any input was secret).
func plain(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

// optString returns the string at key, "" and false when it is absent or null.
func optString(m resource.PropertyMap, key string) (string, bool, error) {
	v := plain(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return "", false, nil
	case v.IsComputed():
		return "", false, fmt.Errorf("%s is not known yet", key)
	case v.IsString():
		return v.StringValue(), true, nil
	default:
		return "", false, fmt.Errorf("%s must be a string, not %s", key, v.TypeString())
	}
}

func optBool(m resource.PropertyMap, key string, def bool) (bool, error) {
	v := plain(m[resource.PropertyKey(key)])
	switch {
	case v.IsNull():
		return def, nil
	case v.IsBool():
		return v.BoolValue(), nil
	default:
		return def, fmt.Errorf("%s must be a boolean, not %s", key, v.TypeString())
	}
}

func optStringList(m resource.PropertyMap, key string) ([]string, error) {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsArray() {
		return nil, fmt.Errorf("%s must be a list of strings, not %s", key, v.TypeString())
	}
	out := make([]string, 0, len(v.ArrayValue()))
	for i, e := range v.ArrayValue() {
		e = plain(e)
		if !e.IsString() {
			return nil, fmt.Errorf("%s[%d] must be a string, not %s", key, i, e.TypeString())
		}
		out = append(out, e.StringValue())
	}
	return out, nil
}

// optStringMap returns the map at key as sorted KEY=VALUE pairs (sorted for deterministic
// environments).
func optStringMap(m resource.PropertyMap, key string) ([]string, error) {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("%s must be a map of strings, not %s", key, v.TypeString())
	}
	obj := v.ObjectValue()
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		e := plain(obj[resource.PropertyKey(k)])
		if !e.IsString() {
			return nil, fmt.Errorf("%s.%s must be a string, not %s", key, k, e.TypeString())
		}
		out = append(out, k+"="+e.StringValue())
	}
	return out, nil
}

// anySecret tells whether any of the given inputs holds a secret.
func anySecret(m resource.PropertyMap, keys []string) bool {
	for _, k := range keys {
		if m[resource.PropertyKey(k)].ContainsSecrets() {
			return true
		}
	}
	return false
}

// markSecret wraps the value in a secret when secret is true.
func markSecret(v resource.PropertyValue, secret bool) resource.PropertyValue {
	if secret && !v.IsSecret() && !v.IsNull() {
		return resource.MakeSecret(v)
	}
	return v
}

func unknownString() resource.PropertyValue {
	return resource.MakeComputed(resource.NewStringProperty(""))
}

// pick returns a copy of the entries of m whose keys are in keys.
func pick(m resource.PropertyMap, keys []string) resource.PropertyMap {
	out := resource.PropertyMap{}
	for _, k := range keys {
		if v, ok := m[resource.PropertyKey(k)]; ok {
			out[resource.PropertyKey(k)] = v
		}
	}
	return out
}
