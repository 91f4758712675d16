// kaeru-search
