package main

func (in *awkInterp) call(e *callExpr) (ret value) {
	tick()
	f, ok := in.prog.funcs[e.name]
	if !ok {
		panic(awkSyntaxError{"calling undefined function " + e.name})
	}
	if len(e.args) > len(f.params) {
		panic(awkSyntaxError{"function " + e.name + " called with too many arguments"})
	}
	frame := make([]*cell, len(f.params))
	for i := range frame {
		frame[i] = &cell{}
		if i >= len(e.args) {
			continue
		}
		// Arrays pass by reference, scalars by value.
		if v, ok := e.args[i].(*varRef); ok {
			if c := in.cellOf(v); c.arr != nil {
				frame[i] = c
				continue
			} else if v.local < 0 && usedAsArray(f.body, f.params[i]) {
				frame[i] = c
				continue
			}
		}
		frame[i].v = in.eval(e.args[i])
	}
	if len(in.frames) > 1000 {
		panic(awkSyntaxError{"function call nesting too deep"})
	}
	in.frames = append(in.frames, frame)
	defer func() {
		in.frames = in.frames[:len(in.frames)-1]
		if r := recover(); r != nil {
			rv, ok := r.(awkReturn)
			if !ok {
				panic(r)
			}
			ret = rv.v
		}
	}()
	in.exec(f.body)
	return value{}
}

// usedAsArray guesses whether a function treats a parameter as an array,
// so that an untouched global passed to it (split(s, arr) in a helper)
// is shared rather than copied.
func usedAsArray(body []awkStmt, param string) bool {
	found := false
	var walk func(x any)
	walk = func(x any) {
		if found || x == nil {
			return
		}
		switch x := x.(type) {
		case *indexRef:
			found = found || x.arr.name == param
		case *inExpr:
			found = found || x.arr.name == param
		case *deleteStmt:
			found = found || x.arr.name == param
		case *forInStmt:
			found = found || x.arr.name == param
			walkAll(x.body, walk)
		case *builtinExpr:
			if x.name == "split" && len(x.args) > 1 {
				if v, ok := x.args[1].(*varRef); ok && v.name == param {
					found = true
				}
			}
			walkAll(x.args, walk)
		case *exprStmt:
			walk(x.e)
		case *assignExpr:
			walk(x.lhs)
			walk(x.rhs)
		case *ifStmt:
			walk(x.c)
			walkAll(x.then, walk)
			walkAll(x.els, walk)
		case *whileStmt:
			walk(x.c)
			walkAll(x.body, walk)
		case *forStmt:
			walk(x.init)
			walk(x.cond)
			walk(x.post)
			walkAll(x.body, walk)
		case *blockStmt:
			walkAll(x.body, walk)
		case *printStmt:
			walkAll(x.args, walk)
		case *returnStmt:
			walk(x.e)
		case *binaryExpr:
			walk(x.l)
			walk(x.r)
		case *callExpr:
			walkAll(x.args, walk)
		}
	}
	walkAll(body, walk)
	return found
}

func walkAll[T any](xs []T, f func(any)) {
	for _, x := range xs {
		f(x)
	}
}
