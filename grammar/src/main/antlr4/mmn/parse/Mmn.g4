// The .mmn language: the surface contract is shared/spec/language.md; the project's
// reference is docs/language.md. This grammar only shapes the text: names are
// resolved, phases and kinds checked and values computed by the AST builder and the
// interpreter, which give the errors a person can act on.
grammar Mmn;

script : sep* (statement (sep+ statement)*)? sep* EOF ;

// A lone `;` or a newline ends a statement; a block may span lines.
sep : NL | ';' ;

block : '{' sep* (statement (sep+ statement)*)? sep* '}' ;

statement
    : 'profile' ident                                              # profileStmt
    | 'memory' expr                                                # memoryStmt
    | 'set' ident (expr | ident)                                   # setStmt
    | 'space' ident                                                # spaceStmt
    | 'map' ident range mapAttr*                                   # mapStmt
    | 'device' ident kind=ident deviceBody?                        # deviceStmt
    | 'bind' dev=ident space=ident                                 # bindStmt
    | 'notifier' name=ident ('on' space=ident)? ('for' dev=ident)?
          ('uses' strategy=ident | handlers)                       # notifierStmt
    | 'unregister' ident                                           # unregisterStmt
    | 'touch' space=ident range access=ident                       # touchStmt
    | 'dma' dev=ident space=ident range access=ident               # dmaStmt
    | operation phaseBlock?                                        # operationStmt
    | 'expect' expectation                                         # expectStmt
    | 'explore' block ('with' block)+ ('expect' verdict)?          # exploreStmt
    | 'show' ident?                                                # showStmt
    | 'let' NAME '=' expr                                          # letStmt
    | 'for' NAME 'in' from=expr '..' to=expr block                 # forStmt
    | 'repeat' expr block                                          # repeatStmt
    | 'include' STRING                                             # includeStmt
    | 'print' printArg*                                            # printStmt
    | 'if' cond block ('else' (block | elseIf=statement))?         # ifStmt
    | 'flush' dev=ident (all='all' | range)                        # flushStmt
    | 'block' ident                                                # blockStmt
    | 'unblock' ident                                              # unblockStmt
    | 'detach' ident                                               # detachStmt
    | 'set-root' dev=ident root=ident                              # setRootStmt
    | block                                                        # blockStmtGroup
    ;

operation
    : op='munmap'   space=ident range
    | op='dontneed' space=ident range
    | op='mprotect' space=ident range prot=ident
    | op='migrate'  space=ident range
    | op='ksm'      space=ident expr space2=ident expr
    | op='split'    space=ident expr
    | op='collapse' space=ident expr
    | op='fork'     space=ident space2=ident
    | op='cow'      space=ident expr
    | op='reclaim'  space=ident range
    | op='uprobe'   space=ident expr
    | op='remap'    space=ident range
    | op='mremap'   space=ident range 'to' expr
    | op='age'      space=ident range
    | op='oom-reap' space=ident
    | op='exit'     space=ident
    ;

// `munmap A 0x400000 +4K { after clear { dma gpu A 0x400000 read } }`
phaseBlock : '{' sep* (phaseHook (sep+ phaseHook)*)? sep* '}' ;
phaseHook  : 'after' ident block ;

mapAttr : 'file' STRING | ident ;

deviceBody   : '{' sep* (deviceOption (sep+ deviceOption)*)? sep* '}' ;
deviceOption : key=ident (retries='retries')? (expr | onOff=('on' | 'off'))? ;

handlers : '{' sep* (handler (sep+ handler)*)? sep* '}' ;
handler  : 'on' event=ident ('(' param=NAME ')')? block ;

expectation
    : 'coherent' block?                                            # expectCoherent
    | 'violation' kind=ident block?                                # expectViolation
    | 'failed' ident                                               # expectFailed
    | 'healthy' ident                                              # expectHealthy
    | 'faults' ident cmpOp expr                                    # expectFaults
    | 'same-frame' space=ident expr space2=ident expr              # expectSameFrame
    | 'different-frame' space=ident expr space2=ident expr         # expectDifferentFrame
    | 'mapped' ident expr                                          # expectMapped
    | 'unmapped' ident expr                                        # expectUnmapped
    | 'dma' dev=ident space=ident range access=ident result=ident  # expectDma
    ;

verdict : 'coherent' | 'violation' ident ;

// `ADDR +SIZE` (a space before the plus, none after), `ADDR..ADDR`, or a lone ADDR.
range
    : expr SIZE_PLUS expr                                          # sizedRange
    | expr '..' expr                                               # spanRange
    | expr                                                         # pointRange
    ;

cond : expr cmpOp expr ;
cmpOp : '==' | '!=' | '<' | '<=' | '>' | '>=' ;

printArg : STRING | expr ;

expr
    : expr unit=('page' | 'pages')                                 # unitExpr
    | '-' expr                                                     # negExpr
    | expr op=('*' | '/' | '%') expr                               # mulExpr
    | expr op=('+' | '-') expr                                     # addExpr
    | '(' expr ')'                                                 # parenExpr
    | INT                                                          # intExpr
    | SIZE                                                         # sizeExpr
    | NAME                                                         # varExpr
    ;

// Keywords that can still name a space, a device, a phase, a handler or a kind.
ident
    : NAME
    | 'profile' | 'memory' | 'set' | 'space' | 'map' | 'device' | 'bind' | 'notifier'
    | 'on' | 'off' | 'for' | 'uses' | 'unregister' | 'touch' | 'dma' | 'munmap' | 'dontneed'
    | 'mprotect' | 'migrate' | 'ksm' | 'split' | 'collapse' | 'fork' | 'cow' | 'reclaim'
    | 'uprobe' | 'remap' | 'mremap' | 'to' | 'age' | 'oom-reap' | 'exit' | 'after' | 'expect'
    | 'explore' | 'with' | 'show' | 'let' | 'in' | 'repeat' | 'include' | 'print' | 'if'
    | 'else' | 'flush' | 'block' | 'unblock' | 'detach' | 'set-root' | 'all' | 'page'
    | 'pages' | 'file' | 'retries' | 'coherent' | 'violation' | 'failed' | 'healthy'
    | 'faults' | 'same-frame' | 'different-frame' | 'mapped' | 'unmapped'
    ;

// ---------------------------------------------------------------- lexer

// A plus with blanks before it and none after starts a range's size: `0x400000 +16K`.
// `base + 4K` and `base+4K` stay additions.
SIZE_PLUS : [ \t]+ '+' { _input.LA(1) != ' ' && _input.LA(1) != '\t' }? ;

SIZE   : (DEC | HEX) [KMG] ;
INT    : DEC | HEX ;
// A number run into letters that are no suffix (1048576T, 4KB, 12abc): one token, so the
// error names the valid suffixes instead of complaining about a stray word after a number.
BAD_NUMBER : (DEC | HEX) [A-Za-z_] [A-Za-z0-9_]* ;
fragment DEC : [0-9] [0-9_]* ;
fragment HEX : '0' [xX] [0-9a-fA-F] [0-9a-fA-F_]* ;

// Dotted tails make profile names one word: linux-3.19.
NAME   : [A-Za-z_] [A-Za-z0-9_-]* ('.' [A-Za-z0-9_] [A-Za-z0-9_-]*)* ;
STRING : '"' (~["\\\r\n] | '\\' ["\\])* '"' ;

COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
NL      : '\r'? '\n' ;
WS      : [ \t]+ -> skip ;
// Anything else is one bad character: the parser reports it with a caret.
BAD_CHAR : . ;
