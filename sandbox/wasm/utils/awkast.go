package main

import "regexp"

// AST of an awk program.
type (
	awkExpr interface{}
	awkStmt interface{}

	numLit   struct{ v float64 }
	strLit   struct{ s string }
	regexLit struct{ re *regexp.Regexp } // alone: $0 ~ re
	varRef   struct {
		name  string
		local int // index in the function frame, -1 for a global
	}
	fieldRef struct{ idx awkExpr }
	indexRef struct {
		arr  *varRef
		keys []awkExpr
	}
	assignExpr struct {
		lhs awkExpr
		op  string // "=", "+=", ...
		rhs awkExpr
	}
	condExpr   struct{ c, a, b awkExpr }
	binaryExpr struct {
		op   string
		l, r awkExpr
	}
	matchExpr struct {
		neg  bool
		l, r awkExpr
	}
	inExpr struct {
		keys []awkExpr
		arr  *varRef
	}
	unaryExpr struct {
		op string
		e  awkExpr
	}
	incDec struct {
		pre bool
		op  string
		lv  awkExpr
	}
	callExpr struct {
		name string
		args []awkExpr
	}
	builtinExpr struct {
		name string
		args []awkExpr
	}
	groupList   struct{ list []awkExpr } // (a, b) before "in" or in print
	getlineExpr struct {
		lv   awkExpr // nil: $0
		file awkExpr // nil: the main input
	}

	printStmt struct {
		printf bool
		args   []awkExpr
		redir  string // "", ">", ">>"
		dest   awkExpr
	}
	exprStmt struct{ e awkExpr }
	ifStmt   struct {
		c         awkExpr
		then, els []awkStmt
	}
	whileStmt struct {
		c    awkExpr
		body []awkStmt
		do   bool
	}
	forStmt struct {
		init, post awkStmt
		cond       awkExpr
		body       []awkStmt
	}
	forInStmt struct {
		v, arr *varRef
		body   []awkStmt
	}
	ctlStmt    struct{ kind string } // break continue next nextfile
	exitStmt   struct{ e awkExpr }
	returnStmt struct{ e awkExpr }
	deleteStmt struct {
		arr  *varRef
		keys []awkExpr // nil: the whole array
	}
	blockStmt struct{ body []awkStmt }
)

type awkItem struct {
	pat, pat2 awkExpr // nil pat: every record
	isRange   bool
	active    bool
	body      []awkStmt // nil: print $0
	hasBody   bool
}

type awkFunc struct {
	params []string
	body   []awkStmt
}

type awkProgram struct {
	begins, ends [][]awkStmt
	items        []*awkItem
	funcs        map[string]*awkFunc
}
