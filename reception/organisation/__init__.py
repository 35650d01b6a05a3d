"""Organisation: departments, staff and clients as the pages read them.

selectors.py  clients one may edit, staff found by name, pinyin, department or role, account
              owners and engineers to choose from, a grade's main host
pinyin.py     pinyin search keys (张伟, "zhangwei", "zw")
"""
